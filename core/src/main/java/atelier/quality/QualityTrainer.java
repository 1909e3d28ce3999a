package atelier.quality;

import atelier.BadRequestException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Trains the good/average/poor classifier with Tribuo: k-fold cross-validation for the report, then
 * a final model on all examples. Stateless; each call trains afresh.
 */
public final class QualityTrainer {
  // Tribuo logs every fold and tree at INFO; the report says what matters. Held strongly, since
  // java.util.logging forgets the level of a logger nobody references.
  private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

  static {
    TRIBUO_LOG.setLevel(Level.WARNING);
  }

  /** The learning algorithm. */
  public enum Algorithm {
    /** Multinomial logistic regression (AdaGrad SGD). */
    LOGISTIC,
    /** A random forest of CART trees, voting (100 trees of depth 14 unless {@link Forest} says). */
    FOREST;

    /** The lower-case name used on the command line. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The algorithm named {@code name} ({@code logistic}/{@code lr}, {@code forest}/{@code rf}).
     *
     * @throws BadRequestException naming the valid algorithms
     */
    public static Algorithm lookup(String name) {
      String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
      switch (n) {
        case "logistic":
        case "lr":
          return LOGISTIC;
        case "forest":
        case "rf":
        case "random-forest":
          return FOREST;
        default:
          throw new BadRequestException(
              "trainer: expected one of "
                  + Arrays.stream(values()).map(Algorithm::id).collect(Collectors.joining(", "))
                  + ", found '"
                  + name
                  + "'");
      }
    }
  }

  /**
   * One labelled feature vector, in {@link QualityFeatures#names} order.
   *
   * @param group what the image was made from (a source artwork, a prompt); cross-validation keeps
   *     a group within one fold, so that near-copies never sit on both sides. {@code null} makes
   *     the example a group of its own.
   */
  public record Example(QualityLabel label, double[] features, String group) {
    /** An example that is a group of its own. */
    public Example(QualityLabel label, double[] features) {
      this(label, features, null);
    }
  }

  /**
   * What training produced.
   *
   * @param model the model trained on every example
   * @param algorithm the algorithm
   * @param folds the number of cross-validation folds
   * @param groups how many groups the folds were made of (the number of examples when none were
   *     given)
   * @param counts examples per label
   * @param crossValidation metrics of the pooled out-of-fold predictions
   * @param foldAccuracies each fold's accuracy
   */
  public record Result(
      QualityModel model,
      Algorithm algorithm,
      int folds,
      int groups,
      Map<QualityLabel, Integer> counts,
      ClassificationMetrics crossValidation,
      List<Double> foldAccuracies) {}

  private QualityTrainer() {}

  /**
   * The shape of a random forest: how many trees, how deep. Fewer and shallower trees make a
   * smaller model file (the built-in judge is one) at some cost in accuracy.
   */
  public record Forest(int trees, int depth) {
    /** 100 trees of depth 14. */
    public static final Forest DEFAULT = new Forest(100, 14);

    /**
     * @throws BadRequestException when trees is not 1..1000 or depth not 1..64
     */
    public Forest {
      if (trees < 1 || trees > 1000) {
        throw new BadRequestException("--trees: expected 1 to 1000, found " + trees);
      }
      if (depth < 1 || depth > 64) {
        throw new BadRequestException("--depth: expected 1 to 64, found " + depth);
      }
    }
  }

  /**
   * Cross-validates and trains. The folds are made of whole groups (see {@link Example#group}),
   * shuffled with {@code seed} and dealt round-robin, so an example and its siblings are always on
   * the same side; Tribuo's own {@code CrossValidation} splits single examples and would leak.
   *
   * @param examples the labelled vectors, all of one width
   * @param folds k for k-fold cross-validation (at least 2)
   * @throws BadRequestException when a label has no examples, there are fewer examples per label or
   *     fewer groups than folds, or the widths differ
   */
  public static Result train(List<Example> examples, Algorithm algorithm, int folds, long seed) {
    return train(examples, algorithm, folds, seed, Forest.DEFAULT);
  }

  /**
   * As {@link #train(List, Algorithm, int, long)}, with the forest's shape (ignored by the logistic
   * trainer).
   */
  public static Result train(
      List<Example> examples, Algorithm algorithm, int folds, long seed, Forest forest) {
    if (folds < 2) {
      throw new BadRequestException("--folds: expected at least 2, found " + folds);
    }
    Map<QualityLabel, Integer> counts = new EnumMap<>(QualityLabel.class);
    for (QualityLabel l : QualityLabel.values()) {
      counts.put(l, 0);
    }
    for (Example e : examples) {
      counts.merge(e.label(), 1, Integer::sum);
    }
    for (Map.Entry<QualityLabel, Integer> c : counts.entrySet()) {
      if (c.getValue() < folds) {
        throw new BadRequestException(
            "training data: expected at least "
                + folds
                + " "
                + c.getKey().id()
                + " images (one per fold), found "
                + c.getValue());
      }
    }
    int width = examples.get(0).features().length;
    for (Example e : examples) {
      if (e.features().length != width) {
        throw new BadRequestException(
            "training data: expected feature vectors of one width "
                + width
                + ", found "
                + e.features().length);
      }
    }
    int[] fold = folds(examples, folds, seed);
    Trainer<Label> trainer = trainer(algorithm, seed, forest);
    List<ClassificationMetrics.Outcome> pooled = new ArrayList<>();
    List<Double> accuracies = new ArrayList<>();
    for (int k = 0; k < folds; k++) {
      List<Example> in = new ArrayList<>();
      List<Example> out = new ArrayList<>();
      for (int i = 0; i < examples.size(); i++) {
        (fold[i] == k ? out : in).add(examples.get(i));
      }
      for (QualityLabel l : QualityLabel.values()) {
        if (in.stream().noneMatch(e -> e.label() == l)) {
          throw new BadRequestException(
              "cross-validation fold "
                  + (k + 1)
                  + ": expected "
                  + l.id()
                  + " images outside the fold to train on, found none (spread each label over more"
                  + " groups)");
        }
      }
      QualityModel m = new QualityModel(trainer.train(dataset(in, width)));
      List<ClassificationMetrics.Outcome> outcomes = new ArrayList<>();
      for (Example e : out) {
        outcomes.add(new ClassificationMetrics.Outcome(e.label(), m.predict(e.features())));
      }
      accuracies.add(ClassificationMetrics.of(outcomes).accuracy());
      pooled.addAll(outcomes);
    }
    MutableDataset<Label> data = dataset(examples, width);
    Model<Label> finalModel = trainer.train(data);
    return new Result(
        new QualityModel(finalModel),
        algorithm,
        folds,
        Arrays.stream(groupIds(examples)).max().orElse(-1) + 1,
        counts,
        ClassificationMetrics.of(pooled),
        accuracies);
  }

  /**
   * The fold of every example: its group's place among the distinct groups (first-seen order,
   * shuffled with {@code seed}), modulo {@code folds}. An example without a group is its own group.
   */
  static int[] folds(List<Example> examples, int folds, long seed) {
    int[] group = groupIds(examples);
    int groups = Arrays.stream(group).max().orElse(-1) + 1;
    if (groups < folds) {
      throw new BadRequestException(
          "training data: expected at least "
              + folds
              + " groups of images (one per fold), found "
              + groups);
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < groups; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    int[] foldOfGroup = new int[groups];
    for (int i = 0; i < groups; i++) {
      foldOfGroup[order.get(i)] = i % folds;
    }
    int[] out = new int[examples.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = foldOfGroup[group[i]];
    }
    return out;
  }

  /** Dense group numbers 0, 1, … in first-seen order; an example without a group gets its own. */
  static int[] groupIds(List<Example> examples) {
    Map<String, Integer> ids = new HashMap<>();
    int[] out = new int[examples.size()];
    int next = 0;
    for (int i = 0; i < out.length; i++) {
      String g = examples.get(i).group();
      if (g == null) {
        out[i] = next++;
      } else {
        Integer id = ids.get(g);
        if (id == null) {
          id = next++;
          ids.put(g, id);
        }
        out[i] = id;
      }
    }
    return out;
  }

  static MutableDataset<Label> dataset(List<Example> examples, int width) {
    LabelFactory factory = new LabelFactory();
    MutableDataset<Label> data =
        new MutableDataset<>(
            new SimpleDataSourceProvenance("atelier quality features", factory), factory);
    String[] names =
        QualityFeatures.names(width - QualityFeatures.TECHNICAL.size()).toArray(String[]::new);
    for (Example e : examples) {
      data.add(new ArrayExample<>(new Label(e.label().id()), names, e.features()));
    }
    return data;
  }

  static Trainer<Label> trainer(Algorithm algorithm, long seed) {
    return trainer(algorithm, seed, Forest.DEFAULT);
  }

  static Trainer<Label> trainer(Algorithm algorithm, long seed, Forest forest) {
    return switch (algorithm) {
      // No standardising transform: Tribuo's divides by a zero spread when a feature is constant
      // in a fold (NaN). QualityFeatures keeps every feature near 0..1 instead, and AdaGrad adapts
      // its step per feature.
      case LOGISTIC ->
          new LinearSGDTrainer(
              new LogMulticlass(), new AdaGrad(0.5, 0.1), 80, Integer.MAX_VALUE, 1, seed);
      case FOREST ->
          new RandomForestTrainer<>(
              new CARTClassificationTrainer(forest.depth(), 0.5f, seed),
              new VotingCombiner(),
              forest.trees(),
              seed);
    };
  }
}

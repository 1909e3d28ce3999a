package atelier.quality;

import atelier.BadRequestException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.evaluation.CrossValidation;
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
    /** A random forest of 100 CART trees, voting. */
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

  /** One labelled feature vector, in {@link QualityFeatures#names} order. */
  public record Example(QualityLabel label, double[] features) {}

  /**
   * What training produced.
   *
   * @param model the model trained on every example
   * @param algorithm the algorithm
   * @param folds the number of cross-validation folds
   * @param counts examples per label
   * @param crossValidation metrics of the pooled out-of-fold predictions
   * @param foldAccuracies each fold's accuracy
   */
  public record Result(
      QualityModel model,
      Algorithm algorithm,
      int folds,
      Map<QualityLabel, Integer> counts,
      ClassificationMetrics crossValidation,
      List<Double> foldAccuracies) {}

  private QualityTrainer() {}

  /**
   * Cross-validates and trains.
   *
   * @param examples the labelled vectors, all of one width
   * @param folds k for k-fold cross-validation (at least 2)
   * @throws BadRequestException when a label has no examples, there are fewer examples per label
   *     than folds, or the widths differ
   */
  public static Result train(List<Example> examples, Algorithm algorithm, int folds, long seed) {
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
    MutableDataset<Label> data = dataset(examples, width);
    Trainer<Label> trainer = trainer(algorithm, seed);
    CrossValidation<Label, LabelEvaluation> cv =
        new CrossValidation<>(trainer, data, new LabelEvaluator(), folds, seed);
    List<ClassificationMetrics.Outcome> pooled = new ArrayList<>();
    List<Double> accuracies = new ArrayList<>();
    for (var fold : cv.evaluate()) {
      accuracies.add(fold.getA().accuracy());
      for (Prediction<Label> p : fold.getA().getPredictions()) {
        pooled.add(
            new ClassificationMetrics.Outcome(
                QualityLabel.lookup(p.getExample().getOutput().getLabel()),
                QualityModel.probabilities(p)));
      }
    }
    Model<Label> finalModel = trainer.train(data);
    return new Result(
        new QualityModel(finalModel),
        algorithm,
        folds,
        counts,
        ClassificationMetrics.of(pooled),
        accuracies);
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
    return switch (algorithm) {
      // No standardising transform: Tribuo's divides by a zero spread when a feature is constant
      // in a fold (NaN). QualityFeatures keeps every feature near 0..1 instead, and AdaGrad adapts
      // its step per feature.
      case LOGISTIC ->
          new LinearSGDTrainer(
              new LogMulticlass(), new AdaGrad(0.5, 0.1), 80, Integer.MAX_VALUE, 1, seed);
      case FOREST ->
          new RandomForestTrainer<>(
              new CARTClassificationTrainer(14, 0.5f, seed), new VotingCombiner(), 100, seed);
    };
  }
}

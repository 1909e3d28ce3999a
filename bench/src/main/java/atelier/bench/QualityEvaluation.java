package atelier.bench;

import atelier.quality.ClassificationMetrics;
import atelier.quality.Degradation;
import atelier.quality.DegradedSet;
import atelier.quality.ImageFiles;
import atelier.quality.QualityFeatures;
import atelier.quality.QualityLabel;
import atelier.quality.QualityTrainer;
import atelier.quality.ScoringInput;
import atelier.quality.TechnicalMetrics;
import atelier.quality.TechnicalScorer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToDoubleFunction;

/**
 * Offline evaluation of the quality scorers (docs/quality.md has the recipe): real artwork is cut
 * into 512² crops; each crop gives a good (untouched), an average (one random defect at severity
 * 0.25–0.45) and a poor image (one random defect at 0.7–1.0, black frames included), exactly as
 * {@link DegradedSet} (and so {@code atelier quality dataset}) makes them.
 *
 * <p>Sources are grouped by artwork: a file {@code GROUP__NAME.png} belongs to group GROUP
 * (variants of one design share one; {@code tools/quality/eval_sources.py} names them), any other
 * file is a group of its own. Every split keeps a group on one side: groups in name order, every
 * 4th (index mod 4 = 3) is held out; training and its 5-fold cross-validation use the rest, with
 * folds made of whole groups. With {@code --dev} the held-out groups are not read at all, and
 * groups with index mod 4 = 2 serve as the test split instead: that is the mode for designing
 * features, so the held-out figures stay untouched by the design.
 *
 * <p>{@code --first-features K} zeroes every technical feature after the first K (an ablation: K =
 * 12 is the feature set before flat noise, multi-scale sharpness and the rest were added).
 *
 * <p>Usage: {@code java -cp … atelier.bench.QualityEvaluation SOURCE_DIR [CROPS_PER_SOURCE] [SEED]
 * [--dev] [--threads N] [--first-features K]}
 */
public final class QualityEvaluation {
  private QualityEvaluation() {}

  /** One labelled image, reduced to what the evaluation needs (images are too big to keep). */
  record Item(int group, QualityLabel label, Degradation defect, double[] features, double tech) {}

  public static void main(String[] argv) throws Exception {
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    boolean dev = args.remove("--dev");
    int threads = 2;
    int t = args.indexOf("--threads");
    if (t >= 0) {
      threads = Integer.parseInt(args.get(t + 1));
      args.subList(t, t + 2).clear();
    }
    int width = QualityFeatures.TECHNICAL.size();
    int f = args.indexOf("--first-features");
    if (f >= 0) {
      width = Integer.parseInt(args.get(f + 1));
      args.subList(f, f + 2).clear();
    }
    final int features = width;
    Path dir = Path.of(args.get(0));
    int crops = args.size() > 1 ? Integer.parseInt(args.get(1)) : 8;
    long seed = args.size() > 2 ? Long.parseLong(args.get(2)) : 1;

    List<Path> sources = ImageFiles.list(List.of(dir)).images();
    TreeMap<String, Integer> groupIndex = new TreeMap<>();
    for (Path p : sources) {
      groupIndex.put(DegradedSet.group(p), 0);
    }
    int g = 0;
    for (var e : groupIndex.entrySet()) {
      e.setValue(g++);
    }
    int testPart = dev ? 2 : 3;
    List<Path> used = new ArrayList<>();
    for (Path p : sources) {
      int part = groupIndex.get(DegradedSet.group(p)) % 4;
      if (!(dev && part == 3)) {
        used.add(p);
      }
    }
    long start = System.nanoTime();
    List<Item> items = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<Item>>> jobs = new ArrayList<>();
      for (Path p : used) {
        int group = groupIndex.get(DegradedSet.group(p));
        // One generator per source, so results do not depend on the thread schedule.
        Random rng = DegradedSet.random(p, seed);
        jobs.add(pool.submit(() -> items(ImageFiles.read(p), group, crops, rng, features)));
      }
      for (Future<List<Item>> j : jobs) {
        items.addAll(j.get());
      }
    } finally {
      pool.shutdown();
    }
    List<QualityTrainer.Example> train = new ArrayList<>();
    List<Item> test = new ArrayList<>();
    for (Item it : items) {
      if (it.group() % 4 == testPart) {
        test.add(it);
      } else if (it.group() % 4 != 3) {
        train.add(new QualityTrainer.Example(it.label(), it.features(), "g" + it.group()));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%s: %d source images in %d groups (%d used), %d crops each: %d train images, %d %s"
            + " images (seed %d, %d features, %.0f s to prepare)%n",
        dir,
        sources.size(),
        groupIndex.size(),
        used.size(),
        crops,
        train.size(),
        test.size(),
        dev ? "validation (--dev: held-out groups not read)" : "held-out test",
        seed,
        features,
        (System.nanoTime() - start) / 1e9);
    String split = dev ? "validation" : "held-out";
    for (QualityTrainer.Algorithm a : QualityTrainer.Algorithm.values()) {
      QualityTrainer.Result r = QualityTrainer.train(train, a, 5, seed);
      List<ClassificationMetrics.Outcome> outcomes = new ArrayList<>();
      for (Item it : test) {
        outcomes.add(
            new ClassificationMetrics.Outcome(it.label(), r.model().predict(it.features())));
      }
      ClassificationMetrics held = ClassificationMetrics.of(outcomes);
      System.out.printf(
          Locale.ROOT,
          "%-9s grouped 5-fold CV on train (%d groups): accuracy %.3f, good-vs-poor AUC %.3f"
              + " | %s: accuracy %.3f, good-vs-poor AUC %.3f%n",
          a.id(),
          r.groups(),
          r.crossValidation().accuracy(),
          r.crossValidation().goodVsPoorAuc(),
          split,
          held.accuracy(),
          held.goodVsPoorAuc());
      print(held);
      StringBuilder perDefect = new StringBuilder("    " + split + " good-vs-poor AUC by defect:");
      for (Degradation d : Degradation.values()) {
        perDefect.append(
            String.format(
                Locale.ROOT,
                " %s %.3f",
                d.id(),
                auc(test, d, it -> gradeGap(r.model().predict(it.features())))));
      }
      System.out.println(perDefect);
    }
    System.out.printf(
        Locale.ROOT,
        "technical (untrained) %s good-vs-poor AUC %.3f%n",
        split,
        auc(test, null, Item::tech));
  }

  static List<Item> items(BufferedImage src, int group, int crops, Random rng, int features) {
    TechnicalScorer technical = new TechnicalScorer();
    List<Item> out = new ArrayList<>();
    for (DegradedSet.Entry e : DegradedSet.degrade(src, crops, rng)) {
      out.add(item(group, e.label(), e.defect(), e.image(), technical, features));
    }
    return out;
  }

  private static Item item(
      int group,
      QualityLabel label,
      Degradation d,
      BufferedImage img,
      TechnicalScorer tech,
      int features) {
    TechnicalMetrics m = TechnicalMetrics.of(img);
    return new Item(
        group,
        label,
        d,
        firstFeatures(QualityFeatures.technical(m), features),
        tech.score(ScoringInput.of(img)).overall());
  }

  /** The vector with every feature after the first {@code k} set to 0 (constant: never used). */
  static double[] firstFeatures(double[] v, int k) {
    return Arrays.copyOf(Arrays.copyOf(v, k), v.length);
  }

  private static double gradeGap(java.util.Map<QualityLabel, Double> p) {
    return p.get(QualityLabel.GOOD) - p.get(QualityLabel.POOR);
  }

  /** Good-vs-poor AUC of {@code score}; with {@code defect}, only poor images with that defect. */
  static double auc(List<Item> test, Degradation defect, ToDoubleFunction<Item> score) {
    List<Double> good = new ArrayList<>();
    List<Double> poor = new ArrayList<>();
    for (Item it : test) {
      if (it.label() == QualityLabel.GOOD) {
        good.add(score.applyAsDouble(it));
      } else if (it.label() == QualityLabel.POOR && (defect == null || it.defect() == defect)) {
        poor.add(score.applyAsDouble(it));
      }
    }
    return ClassificationMetrics.auc(good, poor);
  }

  static void print(ClassificationMetrics m) {
    for (QualityLabel l : QualityLabel.values()) {
      long[] row = m.confusion()[l.ordinal()];
      System.out.printf(
          Locale.ROOT,
          "    %-8s precision %.3f recall %.3f  confusion %s%n",
          l.id(),
          m.precision().get(l),
          m.recall().get(l),
          Arrays.toString(row));
    }
  }
}

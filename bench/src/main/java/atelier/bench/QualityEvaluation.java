package atelier.bench;

import atelier.image.Resize;
import atelier.quality.BrisqueScorer;
import atelier.quality.ClassificationMetrics;
import atelier.quality.Degradation;
import atelier.quality.ImageFiles;
import atelier.quality.QualityFeatures;
import atelier.quality.QualityLabel;
import atelier.quality.QualityTrainer;
import atelier.quality.ScoringInput;
import atelier.quality.TechnicalMetrics;
import atelier.quality.TechnicalScorer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Offline evaluation of the quality scorers (docs/quality.md has the recipe): real artwork is cut
 * into 512² crops; each crop gives a good (untouched), an average (one random defect at severity
 * 0.25–0.45) and a poor image (one random defect at 0.7–1.0, black frames included); sources are
 * split 75/25 into train and held-out test sets, so no crop of a test artwork is seen in training.
 * Trains on the train split (k-fold report), then reports held-out 3-class accuracy and
 * good-vs-poor AUC, next to the untrained technical score and BRISQUE.
 *
 * <p>Usage: {@code java -cp … atelier.bench.QualityEvaluation SOURCE_DIR [CROPS_PER_SOURCE] [SEED]}
 */
public final class QualityEvaluation {
  private QualityEvaluation() {}

  record Item(int source, QualityLabel label, BufferedImage image) {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int crops = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    Random rng = new Random(seed);
    List<Path> sources = ImageFiles.list(List.of(dir)).images();
    Degradation[] defects = Degradation.values();
    List<Item> items = new ArrayList<>();
    for (int s = 0; s < sources.size(); s++) {
      BufferedImage src = ImageFiles.read(sources.get(s));
      for (BufferedImage crop : crops(src, crops, rng)) {
        items.add(new Item(s, QualityLabel.GOOD, crop));
        Degradation mild = defects[rng.nextInt(defects.length - 1)]; // no black frame for average
        items.add(
            new Item(
                s, QualityLabel.AVERAGE, mild.apply(crop, 0.25 + 0.2 * rng.nextDouble(), rng)));
        Degradation bad = defects[rng.nextInt(defects.length)];
        items.add(
            new Item(s, QualityLabel.POOR, bad.apply(crop, 0.7 + 0.3 * rng.nextDouble(), rng)));
      }
    }
    // Every 4th source (by name order) is held out.
    List<QualityTrainer.Example> train = new ArrayList<>();
    List<Item> test = new ArrayList<>();
    List<double[]> testFeatures = new ArrayList<>();
    for (Item it : items) {
      double[] f = QualityFeatures.technical(TechnicalMetrics.of(it.image()));
      if (it.source() % 4 == 3) {
        test.add(it);
        testFeatures.add(f);
      } else {
        train.add(new QualityTrainer.Example(it.label(), f));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d sources, %d crops each: %d train images, %d held-out test images (seed %d)%n",
        sources.size(),
        crops,
        train.size(),
        test.size(),
        seed);
    for (QualityTrainer.Algorithm a : QualityTrainer.Algorithm.values()) {
      QualityTrainer.Result r = QualityTrainer.train(train, a, 5, seed);
      List<ClassificationMetrics.Outcome> outcomes = new ArrayList<>();
      for (int i = 0; i < test.size(); i++) {
        outcomes.add(
            new ClassificationMetrics.Outcome(
                test.get(i).label(), r.model().predict(testFeatures.get(i))));
      }
      ClassificationMetrics held = ClassificationMetrics.of(outcomes);
      System.out.printf(
          Locale.ROOT,
          "%-9s 5-fold CV on train: accuracy %.3f, AUC %.3f | held-out: accuracy %.3f, good-vs-poor AUC %.3f%n",
          a.id(),
          r.crossValidation().accuracy(),
          r.crossValidation().goodVsPoorAuc(),
          held.accuracy(),
          held.goodVsPoorAuc());
      print(held);
    }
    TechnicalScorer technical = new TechnicalScorer();
    System.out.printf(
        Locale.ROOT,
        "technical (untrained) held-out good-vs-poor AUC %.3f%n",
        auc(test, it -> technical.score(ScoringInput.of(it.image())).overall()));
    if (BrisqueScorer.availability().isEmpty()) {
      Path cache = Files.createTempDirectory("brisque");
      try (BrisqueScorer b = BrisqueScorer.open(null, cache)) {
        System.out.printf(
            Locale.ROOT,
            "brisque (untrained) held-out good-vs-poor AUC %.3f%n",
            auc(test, it -> b.score(ScoringInput.of(it.image())).overall()));
      }
    }
  }

  interface Score {
    double of(Item it);
  }

  static double auc(List<Item> test, Score s) {
    List<Double> good = new ArrayList<>();
    List<Double> poor = new ArrayList<>();
    for (Item it : test) {
      if (it.label() == QualityLabel.GOOD) {
        good.add(s.of(it));
      } else if (it.label() == QualityLabel.POOR) {
        poor.add(s.of(it));
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
          java.util.Arrays.toString(row));
    }
  }

  /**
   * Up to {@code n} 512² crops of the image shrunk to a 1024-px short side (or the whole image).
   */
  static List<BufferedImage> crops(BufferedImage src, int n, Random rng) {
    int side = Math.min(src.getWidth(), src.getHeight());
    BufferedImage base =
        side > 1024
            ? Resize.resample(
                src,
                (int) Math.round(src.getWidth() * 1024.0 / side),
                (int) Math.round(src.getHeight() * 1024.0 / side))
            : src;
    List<BufferedImage> out = new ArrayList<>();
    int c = Math.min(512, Math.min(base.getWidth(), base.getHeight()));
    for (int i = 0; i < n; i++) {
      int x = rng.nextInt(base.getWidth() - c + 1);
      int y = rng.nextInt(base.getHeight() - c + 1);
      BufferedImage crop = new BufferedImage(c, c, BufferedImage.TYPE_INT_RGB);
      crop.getGraphics().drawImage(base.getSubimage(x, y, c, c), 0, 0, null);
      out.add(crop);
      if (c == Math.min(base.getWidth(), base.getHeight()) && base.getWidth() == base.getHeight()) {
        break; // a small square image gives one crop
      }
    }
    return out;
  }
}

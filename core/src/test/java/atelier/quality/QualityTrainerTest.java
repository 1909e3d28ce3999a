package atelier.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.ModelLoadException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

class QualityTrainerTest {
  @TempDir Path dir;

  /** Good = clean paintings; average = mild defects; poor = severe ones. */
  static List<QualityTrainer.Example> examples(int perClass, long seed) {
    Random rng = new Random(seed);
    Degradation[] kinds = {
      Degradation.BLUR,
      Degradation.NOISE,
      Degradation.WASHOUT,
      Degradation.JPEG,
      Degradation.BANDING
    };
    List<QualityTrainer.Example> out = new ArrayList<>();
    for (int i = 0; i < perClass; i++) {
      BufferedImage img = TestImages.painting(96, 96, seed * 1000 + i);
      Degradation d = kinds[i % kinds.length];
      out.add(example(QualityLabel.GOOD, img));
      out.add(example(QualityLabel.AVERAGE, d.apply(img, 0.3 + 0.1 * rng.nextDouble(), rng)));
      out.add(example(QualityLabel.POOR, d.apply(img, 0.85 + 0.15 * rng.nextDouble(), rng)));
    }
    return out;
  }

  private static QualityTrainer.Example example(QualityLabel l, BufferedImage img) {
    return new QualityTrainer.Example(l, QualityFeatures.technical(TechnicalMetrics.of(img)));
  }

  @Test
  void learnsTechnicalGradesReportsCrossValidationAndRoundTripsTheModelFile() throws Exception {
    List<QualityTrainer.Example> train = examples(30, 1);
    for (QualityTrainer.Algorithm a : QualityTrainer.Algorithm.values()) {
      QualityTrainer.Result r = QualityTrainer.train(train, a, 3, 42);
      ClassificationMetrics cv = r.crossValidation();
      assertThat(cv.examples()).isEqualTo(90);
      assertThat(r.foldAccuracies()).hasSize(3);
      long total = 0;
      for (long[] row : cv.confusion()) {
        for (long v : row) {
          total += v;
        }
      }
      assertThat(total).isEqualTo(90);
      // Chance is 1/3; good-vs-poor should be nearly separable on these defects.
      assertThat(cv.accuracy()).as(a.id()).isGreaterThan(0.6);
      assertThat(cv.goodVsPoorAuc()).as(a.id()).isGreaterThan(0.85);

      Path file = dir.resolve(a.id() + QualityModel.EXTENSION);
      r.model().save(file);
      QualityModel loaded = QualityModel.load(file);
      assertThat(loaded.usesClip()).isFalse();
      // Held-out images: the loaded model predicts exactly as the trained one.
      for (QualityTrainer.Example e : examples(4, 9)) {
        assertThat(loaded.predict(e.features())).isEqualTo(r.model().predict(e.features()));
      }
    }
  }

  @Test
  void groupedFoldsKeepEachGroupTogetherAndStopLeakage() {
    // 36 groups of 6 near-copies of one random vector; the label is random per group, so nothing
    // generalises from one group to another. Folds that split groups let a forest recognise the
    // copies (leakage); folds of whole groups leave it at chance.
    Random rng = new Random(5);
    List<QualityTrainer.Example> grouped = new ArrayList<>();
    List<QualityTrainer.Example> loose = new ArrayList<>();
    for (int g = 0; g < 36; g++) {
      double[] base = new double[QualityFeatures.TECHNICAL.size()];
      for (int j = 0; j < base.length; j++) {
        base[j] = rng.nextDouble();
      }
      QualityLabel label = QualityLabel.values()[g % 3];
      for (int k = 0; k < 6; k++) {
        double[] v = base.clone();
        for (int j = 0; j < v.length; j++) {
          v[j] += 0.001 * rng.nextGaussian();
        }
        grouped.add(new QualityTrainer.Example(label, v, "source-" + g));
        loose.add(new QualityTrainer.Example(label, v));
      }
    }
    int[] folds = QualityTrainer.folds(grouped, 4, 7);
    for (int i = 0; i < grouped.size(); i++) {
      assertThat(folds[i]).as("example %d", i).isEqualTo(folds[i - i % 6]);
    }
    QualityTrainer.Result g = QualityTrainer.train(grouped, QualityTrainer.Algorithm.FOREST, 4, 7);
    QualityTrainer.Result l = QualityTrainer.train(loose, QualityTrainer.Algorithm.FOREST, 4, 7);
    assertThat(g.groups()).isEqualTo(36);
    assertThat(l.groups()).isEqualTo(216);
    assertThat(l.crossValidation().accuracy()).isGreaterThan(0.9);
    assertThat(g.crossValidation().accuracy()).isLessThan(0.6);
  }

  @Test
  void aModelWithAFeatureThisVersionDoesNotKnowIsRefused() {
    LabelFactory f = new LabelFactory();
    MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("t", f), f);
    Random rng = new Random(1);
    for (int i = 0; i < 30; i++) {
      data.add(
          new ArrayExample<>(
              new Label(QualityLabel.values()[i % 3].id()),
              new String[] {"log_sharpness", "from_the_future"},
              new double[] {rng.nextDouble(), rng.nextDouble()}));
    }
    Model<Label> m = QualityTrainer.trainer(QualityTrainer.Algorithm.LOGISTIC, 1).train(data);
    assertThatThrownBy(() -> new QualityModel(m))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("found 'from_the_future'");
  }

  @Test
  void fewerGroupsThanFoldsIsAClearError() {
    List<QualityTrainer.Example> two = new ArrayList<>();
    for (QualityTrainer.Example e : examples(4, 3)) {
      two.add(new QualityTrainer.Example(e.label(), e.features(), two.size() % 2 == 0 ? "a" : "b"));
    }
    assertThatThrownBy(() -> QualityTrainer.train(two, QualityTrainer.Algorithm.LOGISTIC, 3, 1))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("training data: expected at least 3 groups of images (one per fold), found 2");
  }

  @Test
  void tooFewImagesOfAClassIsAClearError() {
    List<QualityTrainer.Example> few = new ArrayList<>(examples(5, 2));
    few.removeIf(e -> e.label() == QualityLabel.AVERAGE);
    assertThatThrownBy(() -> QualityTrainer.train(few, QualityTrainer.Algorithm.LOGISTIC, 3, 1))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("training data: expected at least 3 average images (one per fold), found 0");
  }

  @Test
  void dataFoldersAndCsvAreReadAndEmptyClassFoldersRejected() throws Exception {
    for (QualityLabel l : QualityLabel.values()) {
      Files.createDirectories(dir.resolve(l.id()));
    }
    ImageIO.write(TestImages.painting(16, 16, 1), "png", dir.resolve("good/a.png").toFile());
    ImageIO.write(TestImages.painting(16, 16, 2), "png", dir.resolve("poor/b.png").toFile());
    assertThatThrownBy(() -> TrainingData.load(dir))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("class folder average/ is empty");
    ImageIO.write(TestImages.painting(16, 16, 3), "png", dir.resolve("average/c.png").toFile());
    assertThat(TrainingData.load(dir))
        .extracting(TrainingData.Item::label)
        .containsExactly(QualityLabel.GOOD, QualityLabel.AVERAGE, QualityLabel.POOR);

    Path csv = dir.resolve("labels.csv");
    Files.writeString(csv, "path,label\ngood/a.png,good\naverage/c.png,ok\npoor/b.png,bad\n");
    assertThat(TrainingData.load(csv))
        .extracting(TrainingData.Item::path)
        .containsExactly(
            dir.resolve("good/a.png"), dir.resolve("average/c.png"), dir.resolve("poor/b.png"));
    Files.writeString(
        csv,
        "path,label,group\ngood/a.png,good,castle\naverage/c.png,ok,castle\npoor/b.png,bad,\n");
    assertThat(TrainingData.load(csv))
        .extracting(TrainingData.Item::label, TrainingData.Item::group)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(QualityLabel.GOOD, "castle"),
            org.assertj.core.groups.Tuple.tuple(QualityLabel.AVERAGE, "castle"),
            org.assertj.core.groups.Tuple.tuple(QualityLabel.POOR, null));
    Files.writeString(csv, "good/a.png,great\n");
    assertThatThrownBy(() -> TrainingData.load(csv))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining(
            "line 1: quality label: expected one of good, average, poor, found 'great'");
  }

  @Test
  void aucCountsTiesAsHalf() {
    assertThat(ClassificationMetrics.auc(List.of(0.9, 0.5), List.of(0.5, 0.1))).isEqualTo(0.875);
  }
}

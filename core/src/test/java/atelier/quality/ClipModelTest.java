package atelier.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import atelier.ModelLoadException;
import atelier.model.SessionSettings;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLIP and aesthetic scorers on the tiny random CLIP in Optimum's layout. Reference values:
 * tools/quality/tiny_clip.py (torch 1.13, Pillow 9.4) → clip_reference.json. Random weights: this
 * checks preprocessing and plumbing, not CLIP's judgement.
 */
class ClipModelTest {
  static Path resources;
  static JsonNode ref;
  static BufferedImage image;

  @BeforeAll
  static void load() throws Exception {
    resources = TestPaths.repoRoot().resolve("core/src/test/resources/quality");
    ref = new ObjectMapper().readTree(resources.resolve("clip_reference.json").toFile());
    image = ImageIO.read(resources.resolve("reference_image.png").toFile());
  }

  @Test
  void preprocessingIsBitExactWithPillowAsTransformersUsesIt() {
    float[] px = ClipPreprocess.pixelValues(List.of(image), 224).floatData();
    assertThat(px).hasSize(3 * 224 * 224);
    JsonNode every97 = ref.get("pixel_values_every_97th");
    for (int i = 0; i < every97.size(); i++) {
      assertThat((double) px[i * 97])
          .as("pixel %d", i * 97)
          .isCloseTo(every97.get(i).asDouble(), within(1e-5));
    }
    double sum = 0;
    for (float v : px) {
      sum += v;
    }
    assertThat(sum).isCloseTo(ref.get("pixel_values_sum").asDouble(), within(1e-2));
  }

  @Test
  void embeddingsClipScoreAndAestheticRatingMatchPyTorch() {
    try (ClipModel clip = ClipModel.open(resources.resolve("tiny-clip"), SessionSettings.CPU);
        AestheticScorer aesthetic =
            AestheticScorer.open(
                resources.resolve("tiny-clip/aesthetic.onnx"), clip, SessionSettings.CPU)) {
      float[] ie = clip.imageEmbeddings(List.of(image))[0];
      float[] te = clip.textEmbeddings(List.of(ref.get("prompt").asText()))[0];
      assertClose(ie, ref.get("image_embeds"));
      assertClose(te, ref.get("text_embeds"));
      ScorerResult s =
          new ClipScorer(clip).score(ScoringInput.of(image, ref.get("prompt").asText()));
      assertThat(s.overall()).isCloseTo(ref.get("clip_score").asDouble(), within(1e-3));
      assertThat(s.score("clip").orElseThrow().reason()).startsWith("cosine ");
      assertThat(
              new ClipScorer(clip)
                  .score(ScoringInput.of(image))
                  .score("clip")
                  .orElseThrow()
                  .reason())
          .isEqualTo("no prompt to compare with");
      assertThat(aesthetic.score(ScoringInput.of(image)).overall())
          .isCloseTo(ref.get("aesthetic").asDouble(), within(1e-4));
    }
  }

  private static void assertClose(float[] actual, JsonNode expected) {
    assertThat(actual).hasSize(expected.size());
    for (int i = 0; i < actual.length; i++) {
      assertThat((double) actual[i]).isCloseTo(expected.get(i).asDouble(), within(1e-4));
    }
  }

  @Test
  void aFolderWithoutAGraphIsAClearError(@TempDir Path empty) {
    assertThatThrownBy(() -> ClipModel.open(empty, SessionSettings.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(
            "expected an Optimum CLIP export (model.onnx, vocab.json, merges.txt) in");
  }

  @Test
  void aQualityModelTrainedOnClipEmbeddingsNeedsTheClipModel() throws Exception {
    try (ClipModel clip = ClipModel.open(resources.resolve("tiny-clip"), SessionSettings.CPU)) {
      FeatureExtractor fx = new FeatureExtractor(clip);
      List<QualityTrainer.Example> data = new java.util.ArrayList<>();
      java.util.Random rng = new java.util.Random(3);
      for (int i = 0; i < 6; i++) {
        BufferedImage img = TestImages.painting(64, 64, i);
        List<double[]> v =
            fx.extract(
                List.of(
                    img,
                    Degradation.BLUR.apply(img, 0.4, rng),
                    Degradation.NOISE.apply(img, 1, rng)));
        data.add(new QualityTrainer.Example(QualityLabel.GOOD, v.get(0)));
        data.add(new QualityTrainer.Example(QualityLabel.AVERAGE, v.get(1)));
        data.add(new QualityTrainer.Example(QualityLabel.POOR, v.get(2)));
      }
      QualityModel m = QualityTrainer.train(data, QualityTrainer.Algorithm.LOGISTIC, 2, 1).model();
      assertThat(m.clipWidth()).isEqualTo(16);
      assertThatThrownBy(() -> new QualityScorer("x", m, null))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining("expected a CLIP model (--clip DIR), found none");
      ScorerResult r =
          new QualityScorer("x", m, clip).score(ScoringInput.of(TestImages.painting(64, 64, 9)));
      assertThat(r.scorer()).isEqualTo("quality:x");
      double p =
          r.score("p_good").orElseThrow().value()
              + r.score("p_average").orElseThrow().value()
              + r.score("p_poor").orElseThrow().value();
      assertThat(p).isCloseTo(1.0, within(1e-9));
    }
  }
}

package atelier.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.ModelLoadException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrisqueScorerTest {
  @TempDir Path cache;

  @Test
  void distortionRaisesBrisqueAndLowersTheScore() {
    Assumptions.assumeTrue(BrisqueScorer.availability().isEmpty(), "OpenCV natives absent");
    BufferedImage clean = TestImages.painting(256, 256, 4);
    try (BrisqueScorer b = BrisqueScorer.open(null, cache)) {
      double c = b.brisque(clean);
      double noisy = b.brisque(Degradation.NOISE.apply(clean, 0.9, new Random(2)));
      double blurred = b.brisque(Degradation.BLUR.apply(clean, 0.9, new Random(2)));
      assertThat(noisy).isGreaterThan(c + 3);
      assertThat(blurred).isGreaterThan(c + 3);
      ScorerResult r = b.score(ScoringInput.of(clean));
      assertThat(r.overall()).isEqualTo(Math.max(0, Math.min(100, 100 - c)));
      assertThat(r.score("brisque").orElseThrow().reason()).startsWith("BRISQUE ");
    }
    // The LIVE model files came out of the OpenCV natives jar.
    assertThat(cache.resolve("brisque/brisque_model_live.yml")).isRegularFile();
  }

  @Test
  void aFolderWithoutTheModelFilesIsAClearError() {
    assertThatThrownBy(() -> BrisqueScorer.modelFolder(cache, cache))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected brisque_model_live.yml and brisque_range_live.yml in");
  }
}

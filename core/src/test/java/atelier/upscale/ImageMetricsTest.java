package atelier.upscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * PSNR and SSIM against scikit-image 0.19 ({@code tools/upscale/metrics_reference.py} wrote the
 * images and the reference values).
 */
class ImageMetricsTest {
  private static final Path DIR = TestModels.file("metrics");

  @Test
  void matchesScikitImage() throws IOException {
    JsonNode ref = new ObjectMapper().readTree(DIR.resolve("reference.json").toFile());
    for (JsonNode pair : ref.get("pairs")) {
      BufferedImage a = ImageIO.read(DIR.resolve(pair.get("a").asText()).toFile());
      BufferedImage b = ImageIO.read(DIR.resolve(pair.get("b").asText()).toFile());
      assertThat(ImageMetrics.psnr(a, b)).isCloseTo(pair.get("psnr").asDouble(), within(1e-9));
      assertThat(ImageMetrics.psnrLuma(a, b))
          .isCloseTo(pair.get("psnrLuma").asDouble(), within(1e-9));
      assertThat(ImageMetrics.ssim(a, b)).isCloseTo(pair.get("ssim").asDouble(), within(1e-9));
    }
  }

  @Test
  void identicalImagesAndOneLevelEverywhere() {
    BufferedImage a = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
    BufferedImage b = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 20; x++) {
        a.setRGB(x, y, 0x102030 + x);
        b.setRGB(x, y, 0x112131 + x);
      }
    }
    assertThat(ImageMetrics.psnr(a, a)).isInfinite();
    assertThat(ImageMetrics.ssim(a, a)).isCloseTo(1.0, within(1e-12));
    // MSE 1 → 10·log10(255²) dB.
    assertThat(ImageMetrics.psnr(a, b)).isCloseTo(20 * Math.log10(255), within(1e-12));
    assertThat(ImageMetrics.maxDifference(a, b)).isEqualTo(1);
    assertThatThrownBy(() -> ImageMetrics.psnr(a, new BufferedImage(2, 2, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("20×20 and 2×2");
  }
}

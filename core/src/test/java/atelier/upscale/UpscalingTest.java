package atelier.upscale;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.CancelToken;
import atelier.Progress;
import atelier.image.Resize;
import atelier.model.SessionSettings;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Whole upscale steps: passes to reach a factor, alpha handling, progress and the record. */
class UpscalingTest {
  private static Upscaler x2;

  @BeforeAll
  static void load() {
    x2 = Upscaler.open(TestModels.file("tiny-x2-even.onnx"), SessionSettings.CPU);
  }

  @AfterAll
  static void close() {
    x2.close();
  }

  @Test
  void anX2ModelRunsTwiceForX4AndReportsEveryTile() {
    BufferedImage in = opaque(40, 30);
    List<Progress> seen = new ArrayList<>();
    Upscaling.Result r =
        Upscaling.run(x2, in, UpscaleOptions.of(4).withTile(64), seen::add, CancelToken.NONE);
    assertThat(r.image().getWidth()).isEqualTo(160);
    assertThat(r.image().getHeight()).isEqualTo(120);
    assertThat(r.image().getColorModel().hasAlpha()).isFalse();
    UpscaleRecord rec = r.record();
    assertThat(rec.passes()).isEqualTo(2);
    assertThat(rec.modelScale()).isEqualTo(2);
    assertThat(rec.model()).isEqualTo("tiny-x2-even");
    assertThat(rec.modelSha256()).hasSize(64);
    assertThat(rec.alpha()).isNull();
    int expectedTiles =
        Tiler.tileCount(x2, 40, 30, 64, UpscaleOptions.DEFAULT_OVERLAP)
            + Tiler.tileCount(x2, 80, 60, 64, UpscaleOptions.DEFAULT_OVERLAP);
    assertThat(seen).hasSize(expectedTiles);
    assertThat(seen.get(seen.size() - 1).step()).isEqualTo(expectedTiles);
    assertThat(seen).allMatch(p -> p.stage() == Progress.Stage.UPSCALE);
  }

  @Test
  void aFactorBetweenPassesIsResampledToExactlyThatFactor() {
    Upscaling.Result r =
        Upscaling.run(x2, opaque(20, 14), UpscaleOptions.of(3), p -> {}, CancelToken.NONE);
    assertThat(r.image().getWidth()).isEqualTo(60);
    assertThat(r.image().getHeight()).isEqualTo(42);
    assertThat(r.record().passes()).isEqualTo(2);
    assertThat(r.record().tile()).isZero(); // a small image fits the default budget whole
  }

  @Test
  void alphaIsUpscaledSeparatelyByTheModel() {
    BufferedImage in = withAlpha(24, 18);
    Upscaling.Result r = Upscaling.run(x2, in, UpscaleOptions.of(2), p -> {}, CancelToken.NONE);
    assertThat(r.image().getColorModel().hasAlpha()).isTrue();
    assertThat(r.record().alpha()).isEqualTo("model");

    // The alpha plane run through the model as a grey image, then averaged back to one plane.
    PlanarImage alpha = PlanarImage.alphaOf(in).orElseThrow();
    PlanarImage expected =
        Tiler.upscale(x2, alpha.toRgb(), 0, 16, n -> {}, CancelToken.NONE).toGrey();
    // Colours come from the RGB planes alone, whatever the alpha.
    PlanarImage rgb = Tiler.upscale(x2, PlanarImage.rgbOf(in), 0, 16, n -> {}, CancelToken.NONE);
    int[] argb = r.image().getRGB(0, 0, 48, 36, null, 0, 48);
    for (int i = 0; i < argb.length; i++) {
      assertThat(argb[i] >>> 24).isEqualTo(PlanarImage.toByte(expected.data()[i]));
      assertThat((argb[i] >> 16) & 0xff).isEqualTo(PlanarImage.toByte(rgb.data()[i]));
    }
  }

  @Test
  void lanczosAlphaMatchesResamplingTheAlphaPlane() {
    BufferedImage in = withAlpha(24, 18);
    UpscaleOptions o =
        new UpscaleOptions(
            2, null, 16, UpscaleOptions.DEFAULT_BUDGET, UpscaleOptions.Alpha.LANCZOS);
    Upscaling.Result r = Upscaling.run(x2, in, o, p -> {}, CancelToken.NONE);
    assertThat(r.record().alpha()).isEqualTo("lanczos");
    BufferedImage greyAlpha = new BufferedImage(24, 18, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 18; y++) {
      for (int x = 0; x < 24; x++) {
        int a = in.getRGB(x, y) >>> 24;
        greyAlpha.setRGB(x, y, a << 16 | a << 8 | a);
      }
    }
    BufferedImage resized = Resize.resample(greyAlpha, 48, 36);
    for (int y = 0; y < 36; y++) {
      for (int x = 0; x < 48; x++) {
        assertThat(r.image().getRGB(x, y) >>> 24)
            .isCloseTo(resized.getRGB(x, y) & 0xff, org.assertj.core.data.Offset.offset(1));
      }
    }
  }

  @Test
  void anOpaqueArgbImageComesBackWithoutAlpha() {
    BufferedImage in = new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        in.setRGB(x, y, 0xff000000 | (x * 16) << 8);
      }
    }
    Upscaling.Result r = Upscaling.run(x2, in, UpscaleOptions.of(2), p -> {}, CancelToken.NONE);
    assertThat(r.image().getColorModel().hasAlpha()).isFalse();
    assertThat(r.record().alpha()).isNull();
  }

  static BufferedImage opaque(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | ((x ^ y) & 0xff));
      }
    }
    return img;
  }

  /** A disc of opaque colour fading to transparent: alpha varies smoothly and reaches 0. */
  static BufferedImage withAlpha(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double d = Math.hypot(x - w / 2.0, y - h / 2.0) / (h / 2.0);
        int a = (int) Math.round(255 * Math.max(0, Math.min(1, 1.5 - d)));
        img.setRGB(x, y, a << 24 | 200 << 16 | (x * 10) << 8 | 40);
      }
    }
    return img;
  }
}

package atelier.upscale;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The converted UpscalerJS models against the packages' own results: each package ships {@code
 * assets/fixture.png} and {@code assets/samples/<N>x/result.png}, the output UpscalerJS
 * (TensorFlow.js) made from it. The ONNX graph Atelier builds from the same weights must reproduce
 * it to PSNR ≥ 60 dB (8-bit results; most pixels identical, a few off by one level from float
 * rounding).
 *
 * <p>Needs the npm packages (see {@link UpscalerJsPackages}); skips without them.
 */
class UpscalerJsConformanceTest {
  /** Reading a tarball takes seconds (thick is 110 MB); each is read once. */
  private static final Map<String, UpscalerPackage> PACKAGES = new ConcurrentHashMap<>();

  @ParameterizedTest(name = "esrgan-{0} ×{1}")
  @CsvSource({
    "slim, 2",
    "slim, 3",
    "slim, 4",
    "medium, 2",
    "medium, 3",
    "medium, 4",
    "thick, 2",
    "thick, 3",
    "thick, 4",
    "thick, 8"
  })
  void matchesThePackagesOwnResult(String size, int scale) {
    Path tgz = UpscalerJsPackages.require(size);
    UpscalerPackage pkg = PACKAGES.computeIfAbsent(size, s -> UpscalerPackage.open(tgz));
    UpscalerPackage.Conversion c = pkg.convert(scale);
    BufferedImage fixture = pkg.fixture().orElseThrow();
    BufferedImage expected = pkg.sample(scale).orElseThrow();

    BufferedImage actual;
    try (Upscaler up =
        new Upscaler(
            OnnxModel.open("upscaler", c.onnx(), tgz, SessionSettings.CPU),
            c.info().id(),
            Optional.of(c.info()))) {
      assertThat(up.scale()).isEqualTo(scale);
      PlanarImage in = PlanarImage.rgbOf(fixture);
      float[] out = up.run(in.data(), in.width(), in.height());
      actual =
          PlanarImage.toImage(
              new PlanarImage(3, in.width() * scale, in.height() * scale, out), null);
    }
    double psnr = ImageMetrics.psnr(actual, expected);
    System.out.printf(
        Locale.ROOT, "esrgan-%s x%d: PSNR %.2f dB vs the package's result%n", size, scale, psnr);
    assertThat(psnr).as("PSNR vs the package's own ×%d result", scale).isGreaterThanOrEqualTo(60);
    assertThat(ImageMetrics.maxDifference(actual, expected)).isLessThanOrEqualTo(1);
  }
}

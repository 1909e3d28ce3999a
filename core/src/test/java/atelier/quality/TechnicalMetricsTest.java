package atelier.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class TechnicalMetricsTest {

  @Test
  void laplacianVarianceMatchesOpenCv() {
    // Reference: OpenCV 4.13 (JavaCPP 1.5.13) cv::Laplacian(ksize=1, CV_64F, BORDER_DEFAULT) and
    // cv::meanStdDev on the same luma plane; the natives ship with the test classpath.
    Assumptions.assumeTrue(BrisqueScorer.availability().isEmpty(), "OpenCV natives absent");
    for (long seed : new long[] {1, 2, 3}) {
      BufferedImage img = TestImages.painting(97, 61, seed);
      Pixels p = Pixels.of(img);
      double ours = TechnicalMetrics.laplacianVariance(p.y, p.width, p.height);
      try (Mat src = new Mat(p.height, p.width, opencv_core.CV_64F);
          Mat lap = new Mat();
          Mat mean = new Mat();
          Mat std = new Mat()) {
        var buf = src.createBuffer();
        for (int i = 0; i < p.y.length; i++) {
          ((java.nio.DoubleBuffer) buf).put(i, p.y[i]);
        }
        opencv_imgproc.Laplacian(src, lap, opencv_core.CV_64F, 1, 1, 0, opencv_core.BORDER_DEFAULT);
        opencv_core.meanStdDev(lap, mean, std);
        double sd = std.createIndexer().getDouble(0);
        assertThat(ours).isCloseTo(sd * sd, within(1e-6 * sd * sd));
      }
    }
  }

  @Test
  void noiseEstimateRecoversKnownSigma() {
    // Immerkær's estimator is unbiased for Gaussian noise on a flat field.
    Random rng = new Random(7);
    int w = 256, h = 256;
    float[] y = new float[w * h];
    for (double sigma : new double[] {2, 5, 10, 20}) {
      for (int i = 0; i < y.length; i++) {
        y[i] = (float) (128 + sigma * rng.nextGaussian());
      }
      assertThat(TechnicalMetrics.noiseSigma(y, w, h)).isCloseTo(sigma, within(0.06 * sigma));
    }
  }

  @Test
  void flatImageIsBlankWithZeroEntropyAndNoBlocking() {
    TechnicalMetrics m = TechnicalMetrics.of(TestImages.solid(64, 64, 0x808080));
    assertThat(m.entropy()).isZero();
    assertThat(m.contrast()).isZero();
    assertThat(m.sharpness()).isZero();
    assertThat(m.colourfulness()).isZero();
    assertThat(m.blockiness()).isZero();
    assertThat(TechnicalScorer.failures(m, null)).singleElement().asString().startsWith("blank");
  }

  @Test
  void twoLevelImageHasOneBitOfEntropyAndHandComputedColourfulness() {
    // Half pure red, half pure blue: rg = ±255/0, yb = 127.5/−255. Hasler–Süsstrunk by hand:
    // σrg = 127.5, σyb = 191.25, μrg = 127.5, μyb = −63.75 → M = √(127.5²+191.25²) +
    // 0.3·√(127.5²+63.75²).
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        img.setRGB(x, y, x < 16 ? 0xff0000 : 0x0000ff);
      }
    }
    TechnicalMetrics m = TechnicalMetrics.of(img);
    assertThat(m.entropy()).isCloseTo(1.0, within(1e-12));
    double expected = Math.hypot(127.5, 191.25) + 0.3 * Math.hypot(127.5, 63.75);
    assertThat(m.colourfulness()).isCloseTo(expected, within(1e-3));
    assertThat(m.saturation()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void eachDegradationMovesItsMetricTheWayExpected() {
    BufferedImage clean = TestImages.painting(256, 256, 11);
    TechnicalMetrics c = TechnicalMetrics.of(clean);
    Random rng = new Random(1);
    assertThat(TechnicalMetrics.of(Degradation.BLUR.apply(clean, 0.8, rng)).sharpness())
        .isLessThan(c.sharpness() / 5);
    assertThat(TechnicalMetrics.of(Degradation.NOISE.apply(clean, 0.8, rng)).noise())
        .isGreaterThan(c.noise() + 15);
    assertThat(TechnicalMetrics.of(Degradation.UNDEREXPOSE.apply(clean, 0.9, rng)).brightness())
        .isLessThan(0.2);
    assertThat(
            TechnicalMetrics.of(Degradation.OVEREXPOSE.apply(clean, 0.9, rng)).highlightsClipped())
        .isGreaterThan(0.3);
    assertThat(TechnicalMetrics.of(Degradation.OVERSATURATE.apply(clean, 0.9, rng)).colourfulness())
        .isGreaterThan(c.colourfulness() * 1.4);
    assertThat(TechnicalMetrics.of(Degradation.WASHOUT.apply(clean, 0.9, rng)).contrast())
        .isLessThan(c.contrast() / 3);
    assertThat(TechnicalMetrics.of(Degradation.BANDING.apply(clean, 0.9, rng)).banding())
        .isGreaterThan(c.banding() + 0.3);
    assertThat(TechnicalMetrics.of(Degradation.JPEG.apply(clean, 1.0, rng)).blockiness())
        .isGreaterThan(c.blockiness() + 0.3);
    TechnicalMetrics black = TechnicalMetrics.of(Degradation.BLACK.apply(clean, 1, rng));
    assertThat(TechnicalScorer.failures(black, null))
        .singleElement()
        .asString()
        .startsWith("black");
  }

  @Test
  void technicalScorerPrefersTheCleanImageAndNamesTheDefect() {
    BufferedImage clean = TestImages.painting(256, 256, 5);
    TechnicalScorer s = new TechnicalScorer();
    ScorerResult good = s.score(ScoringInput.of(clean));
    ScorerResult blurred =
        s.score(ScoringInput.of(Degradation.BLUR.apply(clean, 1, new Random(1))));
    assertThat(good.overall()).isGreaterThan(blurred.overall() + 20);
    assertThat(blurred.score("technical").orElseThrow().reason()).contains("blurry");
    ScorerResult nan = s.score(new ScoringInput(clean, null, new float[] {0f, Float.NaN}));
    assertThat(nan.overall()).isZero();
    assertThat(nan.failures()).anyMatch(f -> f.contains("NaN"));
  }
}

package atelier.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class LocalMeasuresTest {

  @Test
  void halfScaleIsOpenCvAreaResizeByOneHalf() {
    // Reference: OpenCV 4.13 (JavaCPP 1.5.13) cv::resize(INTER_AREA) to exactly half size on the
    // same float luma plane; the natives ship with the test classpath.
    Assumptions.assumeTrue(BrisqueScorer.availability().isEmpty(), "OpenCV natives absent");
    Pixels p = Pixels.of(TestImages.painting(98, 62, 4));
    float[] ours = LocalMeasures.halfScale(p.y, p.width, p.height);
    try (Mat src = new Mat(p.height, p.width, opencv_core.CV_32F);
        Mat dst = new Mat()) {
      var buf = (java.nio.FloatBuffer) src.createBuffer();
      buf.put(p.y);
      opencv_imgproc.resize(src, dst, new Size(49, 31), 0, 0, opencv_imgproc.INTER_AREA);
      var out = (java.nio.FloatBuffer) dst.createBuffer();
      assertThat(ours).hasSize(49 * 31);
      for (int i = 0; i < ours.length; i++) {
        assertThat(ours[i]).as("pixel %d", i).isCloseTo(out.get(i), within(1e-3f));
      }
    }
  }

  /**
   * Strong texture on the left two thirds, a flat grey with Gaussian noise σ on the right third.
   */
  static float[] texturedWithFlatPart(int w, int h, double sigma, Random rng) {
    float[] y = new float[w * h];
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        double texture = c < 2 * w / 3 ? 12 * Math.sin(c * 2.1) * Math.cos(r * 1.9) : 0;
        y[r * w + c] = (float) (128 + texture + sigma * rng.nextGaussian());
      }
    }
    return y;
  }

  @Test
  void flatNoiseIgnoresTextureThatInflatesTheWholeImageEstimate() {
    Random rng = new Random(3);
    for (double sigma : new double[] {2, 4}) {
      float[] y = texturedWithFlatPart(240, 240, sigma, rng);
      double flat = LocalMeasures.flatNoise(y, 240, 240);
      // The 10th percentile of 8×8-block estimates sits a little below σ (measured: about −10%).
      assertThat(flat).as("σ %s", sigma).isCloseTo(sigma, within(0.2 * sigma));
      // Fine texture passes the whole-image estimator's edge test and reads as noise there.
      assertThat(TechnicalMetrics.noiseSigma(y, 240, 240))
          .as("σ %s", sigma)
          .isGreaterThan(1.5 * sigma);
    }
  }

  @Test
  void localContrastAndColourClipping() {
    assertThat(LocalMeasures.localContrast(new float[64 * 64], 64, 64)).isZero();
    // A checkerboard of 0 and 255 in 1-px squares: every 8×8 block has σ = 127.5.
    float[] checker = new float[64 * 64];
    for (int i = 0; i < checker.length; i++) {
      checker[i] = ((i % 64) + (i / 64)) % 2 == 0 ? 0 : 255;
    }
    assertThat(LocalMeasures.localContrast(checker, 64, 64)).isCloseTo(0.5, within(1e-9));

    // Four quarters: pure red (clipped colour), white, black, a mid orange (not clipped).
    BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 20; x++) {
        int q = (y < 10 ? 0 : 2) + (x < 10 ? 0 : 1);
        img.setRGB(x, y, new int[] {0xff0000, 0xffffff, 0x000000, 0xc08040}[q]);
      }
    }
    assertThat(LocalMeasures.colourClipped(Pixels.of(img))).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void blockinessFindsAShiftedJpegGrid() {
    BufferedImage clean = TestImages.painting(259, 259, 8);
    BufferedImage jpeg = Degradation.jpeg(clean, 0.1f);
    // Crop 3 px off the top-left: the 8×8 grid now starts at phase 5, not 0.
    BufferedImage shifted = jpeg.getSubimage(3, 3, 256, 256);
    Pixels c = Pixels.of(clean.getSubimage(3, 3, 256, 256));
    Pixels s = Pixels.of(shifted);
    double cleanB = LocalMeasures.blockiness(c.y, 256, 256);
    double shiftedB = LocalMeasures.blockiness(s.y, 256, 256);
    assertThat(shiftedB).isGreaterThan(cleanB + 0.3);
  }
}

package atelier.quality;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_img_hash.PHash;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PerceptualHashTest {

  @Test
  void agreesWithOpenCvPHashToAFewBits() {
    // Reference: OpenCV 4.13 img_hash::PHash (JavaCPP 1.5.13). OpenCV samples bilinearly to
    // 32×32 where Atelier filters (Lanczos), so a few of 64 bits may differ; unrelated images
    // differ in about 32.
    Assumptions.assumeTrue(BrisqueScorer.availability().isEmpty(), "OpenCV natives absent");
    try (PHash ref = PHash.create()) {
      for (long seed = 1; seed <= 6; seed++) {
        BufferedImage img = TestImages.painting(200, 160, seed);
        long ours = PerceptualHash.of(img);
        long theirs = openCvHash(ref, img);
        assertThat(PerceptualHash.distance(ours, theirs))
            .as("seed %d", seed)
            .isLessThanOrEqualTo(8);
      }
    }
  }

  private static long openCvHash(PHash ref, BufferedImage img) {
    int w = img.getWidth(), h = img.getHeight();
    byte[] bgr = new byte[3 * w * h];
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < argb.length; i++) {
      bgr[3 * i] = (byte) argb[i];
      bgr[3 * i + 1] = (byte) (argb[i] >> 8);
      bgr[3 * i + 2] = (byte) (argb[i] >> 16);
    }
    try (Mat m = new Mat(h, w, opencv_core.CV_8UC3);
        Mat out = new Mat()) {
      m.data().put(bgr);
      ref.compute(m, out);
      BytePointer bytes = out.data();
      long bits = 0;
      // OpenCV packs bit k of the 8×8 block (row-major) as bit k%8 of byte k/8.
      for (int k = 0; k < 64; k++) {
        if (((bytes.get(k / 8) >> (k % 8)) & 1) != 0) {
          bits |= 1L << k;
        }
      }
      return bits;
    }
  }

  @Test
  void nearDuplicatesAreFoundAndDistinctImagesAreNot() {
    BufferedImage a = TestImages.painting(256, 256, 1);
    BufferedImage aNoisy = Degradation.NOISE.apply(a, 0.1, new Random(3));
    BufferedImage b = TestImages.painting(256, 256, 2);
    long ha = PerceptualHash.of(a), hn = PerceptualHash.of(aNoisy), hb = PerceptualHash.of(b);
    assertThat(PerceptualHash.distance(ha, hn))
        .isLessThanOrEqualTo(PerceptualHash.NEAR_DUPLICATE_BITS);
    assertThat(PerceptualHash.distance(ha, hb)).isGreaterThan(16);
    assertThat(
            PerceptualHash.nearDuplicates(List.of(ha, hb, hn), PerceptualHash.NEAR_DUPLICATE_BITS))
        .containsExactly(-1, -1, 0);
  }
}

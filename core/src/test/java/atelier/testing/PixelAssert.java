package atelier.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;

/** Pixel comparisons of the golden tests, for the other modules' tests. */
public final class PixelAssert {
  private PixelAssert() {}

  /**
   * Same size; every channel within two levels, and at most 1.5% of the values more than one level
   * off (as the core golden tests).
   */
  public static void assertPixelsClose(BufferedImage got, BufferedImage want, String label) {
    assertThat(got.getWidth()).isEqualTo(want.getWidth());
    assertThat(got.getHeight()).isEqualTo(want.getHeight());
    int w = want.getWidth();
    int h = want.getHeight();
    int[] a = got.getRGB(0, 0, w, h, null, 0, w);
    int[] e = want.getRGB(0, 0, w, h, null, 0, w);
    int off = 0;
    int worst = 0;
    for (int i = 0; i < a.length; i++) {
      for (int shift = 0; shift <= 16; shift += 8) {
        int d = Math.abs(((a[i] >> shift) & 0xff) - ((e[i] >> shift) & 0xff));
        worst = Math.max(worst, d);
        if (d > 1) {
          off++;
        }
      }
    }
    assertThat(worst).as("%s: largest pixel difference", label).isLessThanOrEqualTo(2);
    assertThat(off)
        .as("%s: values more than one level off", label)
        .isLessThanOrEqualTo(a.length * 3 / 200);
  }
}

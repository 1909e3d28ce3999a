package atelier.image.basemap;

import static atelier.image.basemap.Img.argb;
import static atelier.image.basemap.Img.px;
import static atelier.image.basemap.Img.rgb;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Background fills and gradients: which pixels are replaced, and the exact colours. */
class FillOpsTest {
  private static final int W = rgb(255, 255, 255);
  private static final int R = rgb(255, 0, 0);
  private static final int B = rgb(0, 0, 255);

  @Test
  void alphaKeyCompositesOverTheColour() {
    BufferedImage img = Img.of(2, 1, argb(128, 100, 150, 200), argb(0, 9, 9, 9));
    // 100·128/255 + 255·(1 − 128/255) = 177.196 → 177; 202.29 → 202; 227.39 → 227.
    assertThat(px(OpKind.parse("background:white").apply(img)))
        .containsExactly(rgb(177, 202, 227), W);
  }

  @Test
  void floodKeyReplacesOnlyWhatTouchesTheBorder() {
    // A red ring around a white hole on a white ground: the ground floods, the hole does not.
    int[] p = new int[7 * 7];
    java.util.Arrays.fill(p, W);
    for (int y = 1; y <= 5; y++) {
      for (int x = 1; x <= 5; x++) {
        boolean ring = x == 1 || x == 5 || y == 1 || y == 5;
        p[y * 7 + x] = ring ? R : (x == 3 && y == 3 ? W : rgb(250, 250, 250));
      }
    }
    int[] out = px(OpKind.parse("background:blue,key=flood,tolerance=0.05").apply(Img.of(7, 7, p)));
    for (int y = 0; y < 7; y++) {
      for (int x = 0; x < 7; x++) {
        int expected = x == 0 || x == 6 || y == 0 || y == 6 ? B : p[y * 7 + x];
        assertThat(out[y * 7 + x]).as("(%d,%d)", x, y).isEqualTo(expected);
      }
    }
  }

  @Test
  void lightAndDarkKeysUseLuma() {
    // Luma 0.299·R + 0.587·G + 0.114·B: 230 → background at threshold 0.9 (229.5); 229 is not.
    BufferedImage img = Img.of(3, 1, rgb(230, 230, 230), rgb(229, 229, 229), rgb(10, 10, 10));
    assertThat(px(OpKind.parse("background:blue,key=light").apply(img)))
        .containsExactly(B, rgb(229, 229, 229), rgb(10, 10, 10));
    assertThat(px(OpKind.parse("background:blue,key=dark,threshold=0.05").apply(img)))
        .containsExactly(rgb(230, 230, 230), rgb(229, 229, 229), B);
    assertThat(px(OpKind.parse("background:#123456,key=all").apply(img)))
        .containsOnly(rgb(0x12, 0x34, 0x56));
  }

  @Test
  void linearGradientSpansPixelCentres() {
    BufferedImage img = Img.solid(5, 2, W);
    // angle 0: positions 0, 1/4, 1/2, 3/4, 1 → 0, 63.75, 127.5, 191.25, 255.
    int[] h = px(OpKind.parse("gradient:linear,from=black,to=white,angle=0").apply(img));
    assertThat(h)
        .startsWith(
            rgb(0, 0, 0),
            rgb(64, 64, 64),
            rgb(128, 128, 128),
            rgb(191, 191, 191),
            rgb(255, 255, 255));
    assertThat(h[5]).isEqualTo(h[0]);
    // angle 90 (default): top row from, bottom row to.
    int[] v = px(OpKind.parse("gradient:from=#ff0000,to=#0000ff").apply(img));
    assertThat(v).startsWith(R, R, R, R, R);
    assertThat(v[9]).isEqualTo(B);
  }

  @Test
  void radialGradientRunsFromCentreToCorners() {
    int[] out = px(OpKind.parse("gradient:radial,from=black,to=white").apply(Img.solid(5, 5, W)));
    assertThat(out[12]).isEqualTo(rgb(0, 0, 0));
    // Corner pixel centre is 2·√2 from the centre; the half-diagonal is √50/2: t = 0.8 → 204.
    assertThat(out[0]).isEqualTo(rgb(204, 204, 204));
  }

  @Test
  void gradientBehindASubjectKeepsTheSubject() {
    BufferedImage img = Img.of(3, 1, rgb(250, 250, 250), R, rgb(250, 250, 250));
    int[] out = px(OpKind.parse("gradient:from=black,to=white,angle=0,key=light").apply(img));
    assertThat(out).containsExactly(rgb(0, 0, 0), R, rgb(255, 255, 255));
  }
}

package atelier.image.basemap;

import static atelier.image.basemap.Img.argb;
import static atelier.image.basemap.Img.px;
import static atelier.image.basemap.Img.rgb;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/**
 * Exact values of the per-level ops on small synthetic images. Expected levels are worked out by
 * hand from each op's documented formula (rounding half up), not read back from the code.
 */
class ToneOpsTest {
  private static final BufferedImage LEVELS =
      Img.of(4, 1, rgb(0, 30, 64), rgb(100, 125, 200), argb(128, 220, 255, 127), rgb(10, 20, 30));

  private static int[] apply(String spec) {
    return px(OpKind.parse(spec).apply(LEVELS));
  }

  @Test
  void brightnessAddsAShareOfWhite() {
    // 0 + 25.5 = 25.5 → 26; 100 + 25.5 → 126 (half up); 255 + 25.5 clamps; alpha kept.
    assertThat(apply("brightness:0.1"))
        .containsExactly(
            rgb(26, 56, 90), rgb(126, 151, 226), argb(128, 246, 255, 153), rgb(36, 46, 56));
    assertThat(apply("brightness:-1")).containsOnly(rgb(0, 0, 0), argb(128, 0, 0, 0));
  }

  @Test
  void contrastScalesAroundMidGrey() {
    // (100 − 127.5)·2 + 127.5 = 72.5 → 73; (30 − 127.5)·2 + 127.5 = −67.5 → 0; 200 → 272.5 → 255.
    assertThat(apply("contrast:2"))
        .containsExactly(rgb(0, 0, 1), rgb(73, 123, 255), argb(128, 255, 255, 127), rgb(0, 0, 0));
    assertThat(apply("contrast:0")).containsOnly(rgb(128, 128, 128), argb(128, 128, 128, 128));
  }

  @Test
  void gammaAboveOneBrightensMidTones() {
    // 255·(64/255)^(1/2) = 127.75 → 128; 255·(100/255)^0.5 = 159.69 → 160; 30 → 87.46 → 87.
    int[] out = apply("gamma:2");
    assertThat(out[0]).isEqualTo(rgb(0, 87, 128));
    assertThat(out[1] & 0xff0000).isEqualTo(160 << 16);
  }

  @Test
  void levelsRemapsBlackAndWhitePoints() {
    // (125 − 50)/150 = 0.5 → 127.5 → 128; 30 → 0; 220 → 255; 64 → 14/150·255 = 23.8 → 24.
    assertThat(apply("levels:50,200"))
        .containsExactly(rgb(0, 0, 24), rgb(85, 128, 255), argb(128, 255, 255, 131), rgb(0, 0, 0));
    // output range 20..220: 0.5 → 120.
    assertThat(apply("levels:50,200,outBlack=20,outWhite=220")[1] & 0xff00).isEqualTo(120 << 8);
  }

  @Test
  void curveThroughItsPointsIsMonotone() {
    assertThat(apply("curve:0/0;255/255")).containsExactly(px(LEVELS));
    assertThat(apply("curve:0/255;255/0")[0]).isEqualTo(rgb(255, 225, 191));
    ToneCurve c = (ToneCurve) OpKind.parse("curve:0/0;128/64;255/255");
    assertThat(c.valueAt(128)).isEqualTo(64);
    // Fritsch-Carlson by hand: secants 0.5 and 191/127, tangents 0.5, 1.00197, 1.50394; at x = 64
    // (t = 0.5, h = 128): 0.125·128·0.5 + 0.5·64 − 0.125·128·1.00197 = 23.968.
    assertThat(c.valueAt(64)).isCloseTo(23.968, org.assertj.core.api.Assertions.within(1e-3));
    double prev = -1;
    for (int x = 0; x <= 255; x++) {
      assertThat(c.valueAt(x)).isGreaterThanOrEqualTo(prev);
      prev = c.valueAt(x);
    }
    // Only the green channel: red and blue unchanged.
    assertThat(apply("curve:0/255;255/0,channel=green")[1]).isEqualTo(rgb(100, 130, 200));
  }

  @Test
  void temperatureFollowsHellandRelativeToDaylight() {
    BufferedImage grey = Img.solid(1, 1, rgb(200, 200, 200));
    assertThat(px(OpKind.parse("temperature:6500").apply(grey)))
        .containsExactly(rgb(200, 200, 200));
    // Gains from Helland's fit: white(3200)/white(6500) = (1, 0.722600, 0.492395) and
    // white(10000)/white(6500) = (0.790997, 0.858174, 1.019829) (computed in Python from the
    // published constants).
    assertThat(px(OpKind.parse("temperature:3200").apply(grey))).containsExactly(rgb(200, 145, 98));
    assertThat(px(OpKind.parse("temperature:10000").apply(grey)))
        .containsExactly(rgb(158, 172, 204));
    // tint 0.25 scales green by 0.75 on top: 200·0.75 = 150.
    assertThat(px(OpKind.parse("temperature:6500,tint=0.25").apply(grey)))
        .containsExactly(rgb(200, 150, 200));
  }

  @Test
  void hueSaturationInHslSpace() {
    BufferedImage red = Img.of(2, 1, rgb(255, 0, 0), argb(7, 200, 100, 50));
    assertThat(px(OpKind.parse("hsl:120").apply(red))[0]).isEqualTo(rgb(0, 255, 0));
    assertThat(px(OpKind.parse("hsl:-120").apply(red))[0]).isEqualTo(rgb(0, 0, 255));
    // Saturation 0: grey at lightness (200 + 50)/2 = 125; alpha 7 kept.
    assertThat(px(OpKind.parse("hsl:0,0").apply(red))[1]).isEqualTo(argb(7, 125, 125, 125));
    assertThat(px(OpKind.parse("hsl:0,1,1").apply(red)))
        .containsOnly(rgb(255, 255, 255), argb(7, 255, 255, 255));
    // Hue 60 turns red into yellow; saturation 0.5 of pure red: (191, 64, 64) (s 0.5, l 0.5).
    assertThat(px(OpKind.parse("hsl:60").apply(red))[0]).isEqualTo(rgb(255, 255, 0));
    assertThat(px(OpKind.parse("hsl:0,0.5").apply(red))[0]).isEqualTo(rgb(191, 64, 64));
  }
}

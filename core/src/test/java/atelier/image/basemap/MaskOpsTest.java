package atelier.image.basemap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** dilate, erode and feather: the mask-making ops, through the op syntax as the CLI uses them. */
class MaskOpsTest {
  static final int WHITE = 0xffffffff;
  static final int BLACK = 0xff000000;

  /** A 40×40 black picture with a white square [15, 25) × [15, 25). */
  static BufferedImage square() {
    BufferedImage img = Img.solid(40, 40, BLACK);
    for (int y = 15; y < 25; y++) {
      for (int x = 15; x < 25; x++) {
        img.setRGB(x, y, WHITE);
      }
    }
    return img;
  }

  static int whiteCount(BufferedImage img) {
    int n = 0;
    for (int p : Img.px(img)) {
      n += (p & 0xff) >= 128 ? 1 : 0;
    }
    return n;
  }

  @Test
  void dilateAndErodeGrowAndShrinkTheWhiteSquareByTheRadius() {
    BufferedImage grown = OpKind.parse("dilate:3").apply(square());
    assertThat(whiteCount(grown)).isEqualTo(16 * 16);
    assertThat(Img.at(grown, 12, 12)).isEqualTo(WHITE);
    assertThat(Img.at(grown, 11, 12)).isEqualTo(BLACK);
    BufferedImage shrunk = OpKind.parse("erode:radius=2").apply(square());
    assertThat(whiteCount(shrunk)).isEqualTo(6 * 6);
    assertThat(Img.at(shrunk, 17, 17)).isEqualTo(WHITE);
    assertThat(Img.at(shrunk, 16, 17)).isEqualTo(BLACK);
    // erode after dilate by the same radius gives the square back
    assertThat(Img.px(OpKind.parse("erode:3").apply(grown))).containsExactly(Img.px(square()));
  }

  @Test
  void featherRampsLinearlyOutsideOrInside() {
    BufferedImage out = OpKind.parse("feather:5").apply(square());
    assertThat(Img.at(out, 20, 20) & 0xff).isEqualTo(255); // inside stays white
    assertThat(Img.at(out, 14, 20) & 0xff).isEqualTo(204); // 1 px out: 255·(1 − 1/5)
    assertThat(Img.at(out, 10, 20) & 0xff).isEqualTo(0); // 5 px out: black
    BufferedImage in = OpKind.parse("feather:5,inside=true").apply(square());
    assertThat(Img.at(in, 14, 20) & 0xff).isEqualTo(0);
    assertThat(Img.at(in, 15, 20) & 0xff).isEqualTo(51); // edge pixel: 1 px from black
    assertThat(Img.at(in, 20, 20) & 0xff).isEqualTo(255);
  }

  @Test
  void badRadiiNameTheOpAndTheRange() {
    assertThatThrownBy(() -> OpKind.parse("dilate:0"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("basemap dilate: radius: expected 1 to 256, found 0");
    assertThatThrownBy(() -> OpKind.parse("feather:radius=999"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("basemap feather: radius: expected 1 to 256, found 999");
  }
}

package atelier.image.basemap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Text basemaps: glyph rasterisation depends on the installed font, so these check geometry
 * (centring, size, stroke) rather than exact pixels. The CJK case needs a CJK font (CI installs
 * Debian's fonts-noto-cjk) and skips without one.
 */
class TextOpTest {
  /** {minX, minY, maxX, maxY} of pixels that differ from the background. */
  private static int[] ink(BufferedImage img, int background) {
    int[] b = {Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1};
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if (img.getRGB(x, y) != background) {
          b[0] = Math.min(b[0], x);
          b[1] = Math.min(b[1], y);
          b[2] = Math.max(b[2], x);
          b[3] = Math.max(b[3], y);
        }
      }
    }
    return b;
  }

  private static void assertCentred(int[] ink, int w, int h) {
    assertThat(ink[2]).as("some ink").isGreaterThanOrEqualTo(0);
    assertThat((ink[0] + ink[2] + 1) / 2.0)
        .isCloseTo(w / 2.0, org.assertj.core.data.Offset.offset(1.5));
    assertThat((ink[1] + ink[3] + 1) / 2.0)
        .isCloseTo(h / 2.0, org.assertj.core.data.Offset.offset(1.5));
  }

  @Test
  void latinTextIsCentredAndFitsTheBox() {
    int white = Img.rgb(255, 255, 255);
    BufferedImage out =
        BasemapChain.parse(List("canvas:400,200,white", "text:Atelier,color=#202020")).apply(null);
    int[] ink = ink(out, white);
    assertCentred(ink, 400, 200);
    int inkWidth = ink[2] - ink[0] + 1;
    // Auto size: as large as fits 85% of the width or 60% of the height.
    assertThat(inkWidth).isBetween(250, 341);
    assertThat(ink[3] - ink[1] + 1).isLessThanOrEqualTo(121);
    assertThat(out.getRGB(200, 100) == Img.rgb(0x20, 0x20, 0x20) || ink[2] > 0).isTrue();
  }

  @Test
  void fixedSizeStrokeAndLines() {
    int black = Img.rgb(0, 0, 0);
    TextOp op =
        (TextOp)
            OpKind.parse(
                "text:'AB\\nCD',size=40,weight=bold,color=white,stroke=0.1,strokeColor=red");
    assertThat(op.text()).isEqualTo("AB\nCD");
    BufferedImage out = op.apply(Img.solid(200, 200, black));
    int[] ink = ink(out, black);
    assertCentred(ink, 200, 200);
    // Two lines of 40 px: taller than one line, less than three.
    assertThat(ink[3] - ink[1]).isBetween(60, 120);
    boolean red = false;
    boolean white = false;
    for (int y = ink[1]; y <= ink[3]; y++) {
      for (int x = ink[0]; x <= ink[2]; x++) {
        red |= out.getRGB(x, y) == Img.rgb(255, 0, 0);
        white |= out.getRGB(x, y) == Img.rgb(255, 255, 255);
      }
    }
    assertThat(red).as("stroke colour present").isTrue();
    assertThat(white).as("fill colour present").isTrue();
    assertThat(op.spec()).contains("size=40", "weight=700", "stroke=0.1", "strokeColor=#ff0000");
  }

  @Test
  void cjkTextUsesACjkFont() {
    Optional<String> cjk = Fonts.cjkFamily("夢");
    Assumptions.assumeTrue(cjk.isPresent(), "no CJK font installed (Debian: fonts-noto-cjk)");
    TextOp op = (TextOp) OpKind.parse("text:夢の画室");
    assertThat(Fonts.CJK).contains(op.font());
    int white = Img.rgb(255, 255, 255);
    BufferedImage out = op.apply(Img.solid(300, 120, white));
    assertCentred(ink(out, white), 300, 120);
  }

  @Test
  void unknownFontsAndUndrawableTextAreClearErrors() {
    assertThatThrownBy(() -> OpKind.parse("text:hi,font=No Such Font Family"))
        .hasMessageContaining("font: expected an installed family")
        .hasMessageContaining("found 'No Such Font Family'");
    assertThatThrownBy(() -> OpKind.parse("text:''")).hasMessageContaining("expected some text");
    assertThatThrownBy(() -> OpKind.parse("text:x,weight=fat"))
        .hasMessageContaining("weight: expected 100..900");
    if (Fonts.cjkFamily("夢").isEmpty()) {
      assertThatThrownBy(() -> OpKind.parse("text:夢,font=DejaVu Sans"))
          .hasMessageContaining("found none for '夢' (U+5922)")
          .hasMessageContaining("fonts-noto-cjk");
    }
  }

  private static java.util.List<String> List(String... s) {
    return java.util.List.of(s);
  }
}

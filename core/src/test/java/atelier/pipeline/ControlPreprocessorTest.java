package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ControlPreprocessorTest {
  static BufferedImage square() {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(40, 40, 40));
    g.fillRect(0, 0, 32, 32);
    g.setColor(new Color(200, 180, 160));
    g.fillRect(8, 8, 16, 16);
    g.dispose();
    return img;
  }

  static int grey(BufferedImage img, int x, int y) {
    return img.getRGB(x, y) & 0xff;
  }

  @Test
  void cannyDrawsTheSquaresOutlineWhiteOnBlack() {
    BufferedImage edges = ControlPreprocessor.parse("canny").apply(square());
    assertThat(grey(edges, 16, 16)).isZero(); // flat inside
    assertThat(grey(edges, 2, 2)).isZero(); // flat outside
    int onBorder = 0;
    for (int y = 6; y <= 25; y++) {
      for (int x = 6; x <= 25; x++) {
        int v = grey(edges, x, y);
        assertThat(v).isIn(0, 255);
        onBorder += v == 255 ? 1 : 0;
      }
    }
    assertThat(onBorder).isGreaterThanOrEqualTo(4 * 14);
  }

  @Test
  void cannyThresholdsAboveTheContrastDrawNothing() {
    // The square's luma step is about 140; thresholds above it keep no edge.
    BufferedImage edges = ControlPreprocessor.parse("canny:900:1000").apply(square());
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        assertThat(grey(edges, x, y)).isZero();
      }
    }
  }

  @Test
  void invertAndMono() {
    BufferedImage inv = ControlPreprocessor.parse("invert").apply(square());
    assertThat(inv.getRGB(16, 16) & 0xffffff).isEqualTo((55 << 16) | (75 << 8) | 95);
    BufferedImage mono = ControlPreprocessor.parse("mono").apply(square());
    assertThat(grey(mono, 16, 16)).isEqualTo(255);
    assertThat(grey(mono, 2, 2)).isZero();
    assertThat(ControlPreprocessor.parse("mono:100").label()).isEqualTo("mono 100");
    assertThat(ControlPreprocessor.parse("canny:50:150").label()).isEqualTo("canny 50:150");
  }

  @Test
  void badNamesAndThresholdsAreOneLine() {
    for (String bad : new String[] {"sobel", "canny:200:100", "canny:5", "mono:0", "invert:3"}) {
      assertThatThrownBy(() -> ControlPreprocessor.parse(bad))
          .isInstanceOf(BadRequestException.class)
          .hasMessage(
              "control preprocessor: expected canny[:LOW:HIGH], invert, mono[:THRESHOLD] (canny:"
                  + " 0 ≤ LOW < HIGH ≤ 1000; mono: 1 to 255), found '"
                  + bad
                  + "'");
    }
  }
}

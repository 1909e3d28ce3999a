package atelier.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ResizeTest {

  private static BufferedImage solid(int w, int h, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  @Test
  void aSolidColourStaysExactlyThatColourAtAnySize() {
    BufferedImage out = Resize.resample(solid(7, 5, 0x336699), 19, 3);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 19; x++) {
        assertThat(out.getRGB(x, y) & 0xffffff).isEqualTo(0x336699);
      }
    }
  }

  @Test
  void halvingAveragesPairsOfPixels() {
    // A 2-pixel period pattern (0, 200) shrunk 2× becomes its mean, 100, away from the borders.
    BufferedImage img = new BufferedImage(16, 1, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 16; x++) {
      int v = x % 2 == 0 ? 0 : 200;
      img.setRGB(x, 0, (v << 16) | (v << 8) | v);
    }
    BufferedImage out = Resize.resample(img, 8, 1);
    for (int x = 2; x < 6; x++) {
      assertThat((out.getRGB(x, 0) >> 16) & 0xff).isEqualTo(100);
    }
  }

  @Test
  void coverCropsTheCentreAndContainPadsWithTransparency() {
    BufferedImage wide = solid(40, 10, 0xff0000);
    for (int y = 0; y < 10; y++) {
      for (int x = 15; x < 25; x++) {
        wide.setRGB(x, y, 0x00ff00);
      }
    }
    BufferedImage cover = Resize.fit(wide, 10, 10, Resize.Fit.COVER);
    assertThat(cover.getWidth()).isEqualTo(10);
    assertThat(cover.getRGB(5, 5) & 0xffffff).isEqualTo(0x00ff00);
    BufferedImage contain = Resize.fit(wide, 20, 20, Resize.Fit.CONTAIN);
    assertThat(contain.getRGB(10, 0) >>> 24).isEqualTo(0);
    assertThat(contain.getRGB(10, 10) >>> 24).isEqualTo(255);
  }

  @Test
  void fitNamesAreLookedUpWithAliases() {
    assertThat(Resize.Fit.lookup("crop")).isEqualTo(Resize.Fit.COVER);
    assertThat(Resize.Fit.lookup("PAD")).isEqualTo(Resize.Fit.CONTAIN);
    assertThatThrownBy(() -> Resize.Fit.lookup("zoom"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("fit: expected one of cover, stretch, contain, found 'zoom'");
  }
}

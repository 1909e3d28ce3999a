package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import org.junit.jupiter.api.Test;

/** The mask operations of inpainting (A1111's algorithms), on small hand-checked pictures. */
class InpaintMaskTest {

  @Test
  void aGreyPngsValuesAreReadAsStoredNotThroughJavasLinearGrey() {
    BufferedImage g = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster r = g.getRaster();
    r.setSample(0, 0, 0, 128);
    r.setSample(1, 0, 0, 255);
    assertThat(InpaintMask.grey(g).values()).containsExactly(128, 255);
    // getRGB would have brightened 128 (Java treats TYPE_BYTE_GRAY as linear)
    assertThat(g.getRGB(0, 0) & 0xff).isNotEqualTo(128);
    assertThat(InpaintMask.hasColour(g)).isFalse();
  }

  @Test
  void colourIsMadeGreyByPilsLumaAndTransparentPixelsKeep() {
    BufferedImage c = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    c.setRGB(0, 0, 0xffff0000);
    c.setRGB(1, 0, 0x00ffffff);
    assertThat(InpaintMask.grey(c).values()).containsExactly(76, 0); // (19595·255 + 0x8000) >> 16
    assertThat(InpaintMask.hasColour(c)).isTrue();
  }

  @Test
  void blurUsesOpenCvsKernelSizeAndKeepsTheTotal() {
    assertThat(InpaintMask.gaussianKernel(4)).hasSize(21); // 2·int(2.5·4 + 0.5) + 1
    int[] v = new int[31 * 31];
    v[15 * 31 + 15] = 255;
    InpaintMask.Plane b = InpaintMask.blur(new InpaintMask.Plane(31, 31, v), 1);
    assertThat(b.values()[15 * 31 + 15])
        .isEqualTo(41); // round(round(255·k0)·k0) = round(102·k0), k0 = 0.3989 (7 taps)
    assertThat(b.values()[15 * 31 + 14]).isEqualTo(b.values()[15 * 31 + 16]);
  }

  @Test
  void cropRegionIsTheMasksBoxPaddedThenWidenedToTheGenerationsAspect() {
    int[] v = new int[100 * 80];
    for (int y = 30; y < 40; y++) {
      for (int x = 20; x < 60; x++) {
        v[y * 100 + x] = 255;
      }
    }
    InpaintMask.Plane m = new InpaintMask.Plane(100, 80, v);
    int[] r = InpaintMask.cropRegion(m, 5);
    assertThat(r).containsExactly(15, 25, 65, 45);
    // 50×20 widened to a square: 15 rows more above and below
    assertThat(InpaintMask.expandCropRegion(r, 64, 64, 100, 80)).containsExactly(15, 10, 65, 60);
  }

  @Test
  void fillSpreadsTheColoursAroundTheMaskAndKeepsTheRest() {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    int[] v = new int[32 * 32];
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        boolean inside = x >= 12 && x < 20 && y >= 12 && y < 20;
        img.setRGB(x, y, inside ? 0x000000 : 0x3080c0);
        v[y * 32 + x] = inside ? 255 : 0;
      }
    }
    BufferedImage f = InpaintMask.fill(img, new InpaintMask.Plane(32, 32, v));
    assertThat(f.getRGB(2, 2) & 0xffffff).isEqualTo(0x3080c0); // outside: unchanged
    int centre = f.getRGB(16, 16);
    assertThat(Math.abs(((centre >> 16) & 0xff) - 0x30)).isLessThanOrEqualTo(2);
    assertThat(Math.abs(((centre >> 8) & 0xff) - 0x80)).isLessThanOrEqualTo(2);
    assertThat(Math.abs((centre & 0xff) - 0xc0)).isLessThanOrEqualTo(2);
  }

  @Test
  void outpaintMaskCoversTheNewAreaAndTwiceTheBlurOfOverlap() {
    BufferedImage m = Outpaint.parse("left=16,y=8").mask(32, 32, 2);
    assertThat(m.getWidth()).isEqualTo(48);
    assertThat(m.getHeight()).isEqualTo(48);
    assertThat(m.getRGB(19, 24) & 0xffffff).isEqualTo(0xffffff); // 16 + 4 overlap
    assertThat(m.getRGB(20, 24) & 0xffffff).isZero();
    assertThat(m.getRGB(47, 24) & 0xffffff).isZero(); // right not extended: no overlap
    assertThat(m.getRGB(30, 11) & 0xffffff).isEqualTo(0xffffff); // 8 + 4 overlap on top
    assertThat(m.getRGB(30, 12) & 0xffffff).isZero();
    assertThat(Outpaint.parse("x=8").toString()).isEqualTo("left=8,top=0,right=8,bottom=0");
  }
}

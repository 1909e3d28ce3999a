package atelier.image.basemap;

import java.awt.image.BufferedImage;

/** Small synthetic images for the basemap tests. */
final class Img {
  private Img() {}

  static BufferedImage solid(int w, int h, int argb) {
    return Pixels.filled(w, h, argb).toImage();
  }

  static BufferedImage of(int w, int h, int... argb) {
    return new Pixels(w, h, argb.clone()).toImage();
  }

  static int argb(int a, int r, int g, int b) {
    return Pixels.pack(a, r, g, b);
  }

  static int rgb(int r, int g, int b) {
    return argb(255, r, g, b);
  }

  static int[] px(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  static int at(BufferedImage img, int x, int y) {
    return img.getRGB(x, y);
  }

  static String hex(int p) {
    return String.format("%08x", p);
  }
}

package atelier.image.basemap;

import java.awt.image.BufferedImage;
import java.util.function.IntUnaryOperator;

/**
 * An image as one packed ARGB array, the working form of the basemap operations: ops read and write
 * whole arrays instead of going through {@code getRGB} per pixel. Mutable, not thread-safe.
 */
final class Pixels {
  final int width;
  final int height;
  final int[] argb;

  Pixels(int width, int height, int[] argb) {
    this.width = width;
    this.height = height;
    this.argb = argb;
  }

  static Pixels of(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    return new Pixels(w, h, image.getRGB(0, 0, w, h, null, 0, w));
  }

  static Pixels filled(int width, int height, int argb) {
    int[] px = new int[width * height];
    java.util.Arrays.fill(px, argb);
    return new Pixels(width, height, px);
  }

  BufferedImage toImage() {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
    out.setRGB(0, 0, width, height, argb, 0, width);
    return out;
  }

  /** Applies one lookup table to R, G and B (alpha kept). */
  Pixels mapChannels(int[] lutR, int[] lutG, int[] lutB) {
    for (int i = 0; i < argb.length; i++) {
      int p = argb[i];
      argb[i] =
          (p & 0xff000000)
              | lutR[(p >> 16) & 0xff] << 16
              | lutG[(p >> 8) & 0xff] << 8
              | lutB[p & 0xff];
    }
    return this;
  }

  /** A 256-entry table from a per-level function. */
  static int[] lut(IntUnaryOperator f) {
    int[] t = new int[256];
    for (int i = 0; i < 256; i++) {
      t[i] = f.applyAsInt(i);
    }
    return t;
  }

  /** Rounds half up and clamps to 0..255: the one rounding rule of every basemap op. */
  static int clamp8(double v) {
    double r = Math.floor(v + 0.5);
    return r <= 0 ? 0 : r >= 255 ? 255 : (int) r;
  }

  static int pack(int a, int r, int g, int b) {
    return a << 24 | r << 16 | g << 8 | b;
  }

  /** Rec. 601 luma (as PIL's "L" mode) of a packed pixel, 0..255. */
  static double luma(int p) {
    return 0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff);
  }

  /**
   * {@code top} over {@code bottom} with top's alpha scaled by {@code coverage} (0..1): Porter-Duff
   * "source over" on straight (not premultiplied) colours.
   */
  static int over(int top, int bottom, double coverage) {
    double ta = ((top >>> 24) / 255.0) * coverage;
    double ba = (bottom >>> 24) / 255.0;
    double oa = ta + ba * (1 - ta);
    if (oa <= 0) {
      return 0;
    }
    int r = clamp8((((top >> 16) & 0xff) * ta + ((bottom >> 16) & 0xff) * ba * (1 - ta)) / oa);
    int g = clamp8((((top >> 8) & 0xff) * ta + ((bottom >> 8) & 0xff) * ba * (1 - ta)) / oa);
    int b = clamp8(((top & 0xff) * ta + (bottom & 0xff) * ba * (1 - ta)) / oa);
    return pack(clamp8(oa * 255), r, g, b);
  }
}

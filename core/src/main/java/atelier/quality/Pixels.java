package atelier.quality;

import atelier.image.Resize;
import java.awt.image.BufferedImage;

/**
 * An image as float planes in 0..255: red, green, blue and BT.601 luma ({@code 0.299 R + 0.587 G +
 * 0.114 B}, as OpenCV's RGB→gray). Transparent pixels are composited over white, as everywhere in
 * Atelier. Immutable after construction; package-private.
 */
final class Pixels {
  final int width;
  final int height;
  final float[] r;
  final float[] g;
  final float[] b;
  final float[] y;

  private Pixels(int width, int height, float[] r, float[] g, float[] b, float[] y) {
    this.width = width;
    this.height = height;
    this.r = r;
    this.g = g;
    this.b = b;
    this.y = y;
  }

  static Pixels of(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int n = w * h;
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    boolean alpha = image.getColorModel().hasAlpha();
    float[] r = new float[n];
    float[] g = new float[n];
    float[] b = new float[n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      int p = argb[i];
      float rr = (p >> 16) & 0xff;
      float gg = (p >> 8) & 0xff;
      float bb = p & 0xff;
      if (alpha) {
        float a = ((p >>> 24) & 0xff) / 255f;
        rr = rr * a + 255f * (1 - a);
        gg = gg * a + 255f * (1 - a);
        bb = bb * a + 255f * (1 - a);
      }
      r[i] = rr;
      g[i] = gg;
      b[i] = bb;
      y[i] = 0.299f * rr + 0.587f * gg + 0.114f * bb;
    }
    return new Pixels(w, h, r, g, b, y);
  }

  /**
   * The image at the working scale of the scale-dependent metrics: shrunk (Lanczos, antialiased) so
   * its short side is {@code shortSide} when it is larger, so that sharpness and noise of a 1024²
   * image and of a 512² image are comparable.
   */
  static BufferedImage workingScale(BufferedImage image, int shortSide) {
    int w = image.getWidth();
    int h = image.getHeight();
    int s = Math.min(w, h);
    if (s <= shortSide) {
      return image;
    }
    double f = (double) shortSide / s;
    return Resize.resample(
        image, Math.max(1, (int) Math.round(w * f)), Math.max(1, (int) Math.round(h * f)));
  }
}

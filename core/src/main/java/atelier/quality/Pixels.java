package atelier.quality;

import atelier.image.ImageTensors;
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
    float[][] rgb = ImageTensors.rgbPlanes(image);
    float[] r = rgb[0];
    float[] g = rgb[1];
    float[] b = rgb[2];
    float[] y = new float[r.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = 0.299f * r[i] + 0.587f * g[i] + 0.114f * b[i];
    }
    return new Pixels(image.getWidth(), image.getHeight(), r, g, b, y);
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

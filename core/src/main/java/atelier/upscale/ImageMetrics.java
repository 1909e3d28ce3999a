package atelier.upscale;

import java.awt.image.BufferedImage;

/**
 * Full-reference image quality: PSNR and SSIM between two 8-bit images of one size, on the RGB
 * channels (alpha ignored). Used by conformance tests and the upscaler quality table. Stateless.
 */
public final class ImageMetrics {
  private ImageMetrics() {}

  /**
   * Peak signal-to-noise ratio in dB over all RGB samples, {@code 10·log10(255² / MSE)}; positive
   * infinity for identical images.
   *
   * @throws IllegalArgumentException when the sizes differ
   */
  public static double psnr(BufferedImage a, BufferedImage b) {
    double mse = mse(a, b);
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }

  /**
   * PSNR of the luma (BT.601 Y from 8-bit RGB, unrounded), the figure super-resolution papers
   * report; positive infinity for identical lumas.
   */
  public static double psnrLuma(BufferedImage a, BufferedImage b) {
    checkSameSize(a, b);
    double[] x = luma(a);
    double[] y = luma(b);
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += (x[i] - y[i]) * (x[i] - y[i]);
    }
    double mse = sum / x.length;
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }

  /** Mean squared error over all RGB samples, in 8-bit levels squared. */
  public static double mse(BufferedImage a, BufferedImage b) {
    checkSameSize(a, b);
    int w = a.getWidth();
    int h = a.getHeight();
    int[] pa = a.getRGB(0, 0, w, h, null, 0, w);
    int[] pb = b.getRGB(0, 0, w, h, null, 0, w);
    double sum = 0;
    for (int i = 0; i < pa.length; i++) {
      for (int shift = 0; shift <= 16; shift += 8) {
        int d = ((pa[i] >> shift) & 0xff) - ((pb[i] >> shift) & 0xff);
        sum += d * d;
      }
    }
    return sum / (3.0 * pa.length);
  }

  /** Largest absolute difference of any ARGB sample, in 8-bit levels. */
  public static int maxDifference(BufferedImage a, BufferedImage b) {
    checkSameSize(a, b);
    int w = a.getWidth();
    int h = a.getHeight();
    int[] pa = a.getRGB(0, 0, w, h, null, 0, w);
    int[] pb = b.getRGB(0, 0, w, h, null, 0, w);
    int max = 0;
    for (int i = 0; i < pa.length; i++) {
      for (int shift = 0; shift <= 24; shift += 8) {
        max = Math.max(max, Math.abs(((pa[i] >> shift) & 0xff) - ((pb[i] >> shift) & 0xff)));
      }
    }
    return max;
  }

  /**
   * Mean SSIM of the luma (ITU-R BT.601 Y, as scikit-image's and most SR papers' "Y channel"
   * evaluation) with the standard 11×11 Gaussian window (σ 1.5), K1 0.01, K2 0.03, L 255, over the
   * windows that fit inside the image.
   */
  public static double ssim(BufferedImage a, BufferedImage b) {
    checkSameSize(a, b);
    int w = a.getWidth();
    int h = a.getHeight();
    double[] x = luma(a);
    double[] y = luma(b);
    double[] g = gaussian(11, 1.5);
    double[] mx = blur(x, w, h, g);
    double[] my = blur(y, w, h, g);
    double[] xx = new double[x.length];
    double[] yy = new double[x.length];
    double[] xy = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      xx[i] = x[i] * x[i];
      yy[i] = y[i] * y[i];
      xy[i] = x[i] * y[i];
    }
    double[] sxx = blur(xx, w, h, g);
    double[] syy = blur(yy, w, h, g);
    double[] sxy = blur(xy, w, h, g);
    double c1 = Math.pow(0.01 * 255, 2);
    double c2 = Math.pow(0.03 * 255, 2);
    int r = g.length / 2;
    double sum = 0;
    long n = 0;
    for (int j = r; j < h - r; j++) {
      for (int i = r; i < w - r; i++) {
        int k = j * w + i;
        double vx = sxx[k] - mx[k] * mx[k];
        double vy = syy[k] - my[k] * my[k];
        double cov = sxy[k] - mx[k] * my[k];
        sum +=
            ((2 * mx[k] * my[k] + c1) * (2 * cov + c2))
                / ((mx[k] * mx[k] + my[k] * my[k] + c1) * (vx + vy + c2));
        n++;
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException(
          "ssim: expected images of at least 11×11, found " + w + "×" + h);
    }
    return sum / n;
  }

  private static double[] luma(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] p = img.getRGB(0, 0, w, h, null, 0, w);
    double[] y = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      y[i] = 0.299 * ((p[i] >> 16) & 0xff) + 0.587 * ((p[i] >> 8) & 0xff) + 0.114 * (p[i] & 0xff);
    }
    return y;
  }

  private static double[] gaussian(int size, double sigma) {
    double[] g = new double[size];
    double sum = 0;
    for (int i = 0; i < size; i++) {
      double d = i - size / 2;
      g[i] = Math.exp(-d * d / (2 * sigma * sigma));
      sum += g[i];
    }
    for (int i = 0; i < size; i++) {
      g[i] /= sum;
    }
    return g;
  }

  /** Separable blur; only the values whose window fits inside are meaningful (the rest unused). */
  private static double[] blur(double[] src, int w, int h, double[] g) {
    int r = g.length / 2;
    double[] tmp = new double[src.length];
    for (int j = 0; j < h; j++) {
      for (int i = r; i < w - r; i++) {
        double s = 0;
        for (int k = -r; k <= r; k++) {
          s += g[k + r] * src[j * w + i + k];
        }
        tmp[j * w + i] = s;
      }
    }
    double[] out = new double[src.length];
    for (int j = r; j < h - r; j++) {
      for (int i = r; i < w - r; i++) {
        double s = 0;
        for (int k = -r; k <= r; k++) {
          s += g[k + r] * tmp[(j + k) * w + i];
        }
        out[j * w + i] = s;
      }
    }
    return out;
  }

  private static void checkSameSize(BufferedImage a, BufferedImage b) {
    if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
      throw new IllegalArgumentException(
          "images: expected one size, found "
              + a.getWidth()
              + "×"
              + a.getHeight()
              + " and "
              + b.getWidth()
              + "×"
              + b.getHeight());
    }
  }
}

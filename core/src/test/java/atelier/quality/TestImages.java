package atelier.quality;

import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * Deterministic synthetic images for quality tests: smooth colour fields with shapes and texture.
 */
final class TestImages {
  private TestImages() {}

  /** A "painting": gradients, a few discs and fine texture, all from {@code seed}. */
  static BufferedImage painting(int w, int h, long seed) {
    Random rng = new Random(seed);
    double fx = 1 + rng.nextDouble() * 3, fy = 1 + rng.nextDouble() * 3;
    double[][] discs = new double[6][6];
    for (double[] d : discs) {
      d[0] = rng.nextDouble() * w;
      d[1] = rng.nextDouble() * h;
      d[2] = (0.05 + rng.nextDouble() * 0.2) * Math.min(w, h);
      d[3] = rng.nextInt(256);
      d[4] = rng.nextInt(256);
      d[5] = rng.nextInt(256);
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double u = (double) x / w, v = (double) y / h;
        double r = 128 + 90 * Math.sin(2 * Math.PI * fx * u + seed);
        double g = 128 + 90 * Math.cos(2 * Math.PI * fy * v);
        double b = 128 + 90 * Math.sin(2 * Math.PI * (u + v));
        for (double[] d : discs) {
          double dx = x - d[0], dy = y - d[1];
          if (dx * dx + dy * dy < d[2] * d[2]) {
            r = d[3];
            g = d[4];
            b = d[5];
          }
        }
        double t = 12 * Math.sin(x * 0.9 + y * 0.4) * Math.cos(y * 0.7 - x * 0.2);
        img.setRGB(x, y, rgb(r + t, g + t, b + t));
      }
    }
    return img;
  }

  static BufferedImage solid(int w, int h, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  static int rgb(double r, double g, double b) {
    return (c(r) << 16) | (c(g) << 8) | c(b);
  }

  private static int c(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}

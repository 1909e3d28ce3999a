package atelier.bench;

import java.awt.image.BufferedImage;

/**
 * Bicubic resampling as PIL's {@code Image.resize(..., BICUBIC)} does it: Keys' cubic with a =
 * −0.5, pixel centres at {@code i + 0.5}, the kernel widened by the factor when shrinking
 * (antialiasing), weights normalised per output pixel, rounding to 8 bits. The standard way super
 * resolution benchmarks make their low-resolution inputs and their "bicubic" baseline. RGB only.
 */
final class Bicubic {
  private Bicubic() {}

  static BufferedImage resize(BufferedImage src, int width, int height) {
    int sw = src.getWidth();
    int sh = src.getHeight();
    int[] argb = src.getRGB(0, 0, sw, sh, null, 0, sw);
    float[][] planes = new float[3][sw * sh];
    for (int i = 0; i < argb.length; i++) {
      planes[0][i] = (argb[i] >> 16) & 0xff;
      planes[1][i] = (argb[i] >> 8) & 0xff;
      planes[2][i] = argb[i] & 0xff;
    }
    float[][] kx = weights(sw, width);
    int[] sx = starts(sw, width);
    float[][] ky = weights(sh, height);
    int[] sy = starts(sh, height);
    int[] out = new int[width * height];
    float[][] result = new float[3][];
    for (int c = 0; c < 3; c++) {
      float[] h = new float[width * sh];
      for (int y = 0; y < sh; y++) {
        for (int x = 0; x < width; x++) {
          float acc = 0;
          for (int k = 0; k < kx[x].length; k++) {
            acc += kx[x][k] * planes[c][y * sw + sx[x] + k];
          }
          h[y * width + x] = acc;
        }
      }
      float[] v = new float[width * height];
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          float acc = 0;
          for (int k = 0; k < ky[y].length; k++) {
            acc += ky[y][k] * h[(sy[y] + k) * width + x];
          }
          v[y * width + x] = acc;
        }
      }
      result[c] = v;
    }
    for (int i = 0; i < out.length; i++) {
      out[i] = clamp(result[0][i]) << 16 | clamp(result[1][i]) << 8 | clamp(result[2][i]);
    }
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, width, height, out, 0, width);
    return img;
  }

  private static int clamp(float v) {
    int r = Math.round(v);
    return r < 0 ? 0 : Math.min(r, 255);
  }

  private static int[] starts(int in, int out) {
    double scale = (double) in / out;
    double support = 2.0 * Math.max(scale, 1.0);
    int[] s = new int[out];
    for (int i = 0; i < out; i++) {
      double center = (i + 0.5) * scale;
      s[i] = Math.max(0, (int) Math.floor(center - support));
    }
    return s;
  }

  private static float[][] weights(int in, int out) {
    double scale = (double) in / out;
    double filterScale = Math.max(scale, 1.0);
    double support = 2.0 * filterScale;
    float[][] w = new float[out][];
    for (int i = 0; i < out; i++) {
      double center = (i + 0.5) * scale;
      int lo = Math.max(0, (int) Math.floor(center - support));
      int hi = Math.min(in, (int) Math.ceil(center + support));
      double[] d = new double[hi - lo];
      double sum = 0;
      for (int j = lo; j < hi; j++) {
        d[j - lo] = cubic((j + 0.5 - center) / filterScale);
        sum += d[j - lo];
      }
      w[i] = new float[d.length];
      for (int j = 0; j < d.length; j++) {
        w[i][j] = (float) (d[j] / sum);
      }
    }
    return w;
  }

  private static double cubic(double x) {
    double a = -0.5;
    x = Math.abs(x);
    if (x < 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0;
  }
}

package atelier.image.basemap;

import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * Gaussian blur: a separable kernel {@code exp(-k²/2σ²)} over {@code |k| ≤ ceil(3σ)}, normalised to
 * sum 1, applied across then down with edge pixels repeated, on premultiplied colours so
 * transparent pixels do not bleed. Rounded once, after both passes.
 *
 * @param sigma standard deviation in pixels, more than 0, at most 100
 */
public record Blur(double sigma) implements BasemapOp {
  public Blur {
    Check.positive("blur", "sigma", sigma, 100);
  }

  static Blur of(OpArgs a) {
    return new Blur(a.number("sigma", 2));
  }

  /** The normalised kernel, index {@code radius + k} for offset {@code k}. */
  public double[] kernel() {
    int radius = (int) Math.ceil(3 * sigma);
    double[] k = new double[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) {
      k[i + radius] = Math.exp(-(double) i * i / (2 * sigma * sigma));
      sum += k[i + radius];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return k;
  }

  @Override
  public OpKind kind() {
    return OpKind.BLUR;
  }

  @Override
  public BufferedImage apply(BufferedImage image) {
    Pixels px = Pixels.of(image);
    int w = px.width;
    int h = px.height;
    int n = w * h;
    double[][] planes = new double[4][n];
    for (int i = 0; i < n; i++) {
      int p = px.argb[i];
      double a = (p >>> 24) / 255.0;
      planes[0][i] = p >>> 24;
      planes[1][i] = ((p >> 16) & 0xff) * a;
      planes[2][i] = ((p >> 8) & 0xff) * a;
      planes[3][i] = (p & 0xff) * a;
    }
    double[] k = kernel();
    int radius = k.length / 2;
    for (int c = 0; c < 4; c++) {
      double[] tmp = new double[n];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double s = 0;
          for (int d = -radius; d <= radius; d++) {
            int xx = Math.max(0, Math.min(w - 1, x + d));
            s += k[d + radius] * planes[c][y * w + xx];
          }
          tmp[y * w + x] = s;
        }
      }
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double s = 0;
          for (int d = -radius; d <= radius; d++) {
            int yy = Math.max(0, Math.min(h - 1, y + d));
            s += k[d + radius] * tmp[yy * w + x];
          }
          planes[c][y * w + x] = s;
        }
      }
    }
    for (int i = 0; i < n; i++) {
      double a = planes[0][i] / 255.0;
      int alpha = Pixels.clamp8(planes[0][i]);
      px.argb[i] =
          a <= 0
              ? 0
              : Pixels.pack(
                  alpha,
                  Pixels.clamp8(planes[1][i] / a),
                  Pixels.clamp8(planes[2][i] / a),
                  Pixels.clamp8(planes[3][i] / a));
    }
    return px.toImage();
  }

  @Override
  public Map<String, Object> params() {
    return Map.of("sigma", sigma);
  }
}

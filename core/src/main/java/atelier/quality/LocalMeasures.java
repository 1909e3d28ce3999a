package atelier.quality;

import java.util.Arrays;

/**
 * The measurements behind the second group of {@link TechnicalMetrics}: sharpness at a coarser
 * scale, noise where the picture is flat, local contrast, colour clipping and luma percentiles.
 * They exist because the first group is confounded by content: a soft, dark or white-backed artwork
 * looks "blurred", "underexposed" or "overexposed" by global statistics, while these compare an
 * image with itself (fine against coarse detail, flat against textured regions, clipped against
 * unclipped colour). Also blockiness, at the JPEG grid phase with the largest steps. Stateless;
 * package-private.
 */
final class LocalMeasures {
  /** Block side for the block statistics (flat noise, local contrast). */
  static final int BLOCK = 8;

  private LocalMeasures() {}

  /**
   * Luma at half resolution: each output pixel is the mean of a 2×2 block (OpenCV {@code resize}
   * with {@code INTER_AREA} at exactly ½); an odd last row or column is dropped.
   */
  static float[] halfScale(float[] y, int w, int h) {
    int hw = w / 2;
    int hh = h / 2;
    float[] out = new float[hw * hh];
    for (int r = 0; r < hh; r++) {
      for (int c = 0; c < hw; c++) {
        int i = 2 * r * w + 2 * c;
        out[r * hw + c] = (y[i] + y[i + 1] + y[i + w] + y[i + w + 1]) / 4f;
      }
    }
    return out;
  }

  /**
   * Noise σ in luma levels where the picture is flat: Immerkær's estimator per 8×8 block, then the
   * 10th percentile over blocks. Blocks touching clipping (mean luma below 4 or above 251) are left
   * out, since clipping hides noise. Unlike the whole-image estimate this is not raised by texture,
   * which the flattest blocks lack. 0 when no block qualifies.
   */
  static double flatNoise(float[] y, int w, int h) {
    int bw = (w - 2) / BLOCK;
    int bh = (h - 2) / BLOCK;
    double[] sigma = new double[Math.max(0, bw * bh)];
    int n = 0;
    for (int by = 0; by < bh; by++) {
      for (int bx = 0; bx < bw; bx++) {
        double sum = 0;
        double luma = 0;
        for (int yy = 1 + by * BLOCK; yy < 1 + (by + 1) * BLOCK; yy++) {
          for (int xx = 1 + bx * BLOCK; xx < 1 + (bx + 1) * BLOCK; xx++) {
            int i = yy * w + xx;
            float m =
                (y[i - w - 1] + y[i - w + 1] + y[i + w - 1] + y[i + w + 1])
                    - 2 * (y[i - w] + y[i - 1] + y[i + 1] + y[i + w])
                    + 4 * y[i];
            sum += Math.abs(m);
            luma += y[i];
          }
        }
        luma /= BLOCK * BLOCK;
        if (luma >= 4 && luma <= 251) {
          sigma[n++] = Math.sqrt(Math.PI / 2) * sum / (6.0 * BLOCK * BLOCK);
        }
      }
    }
    if (n == 0) {
      return 0;
    }
    double[] used = Arrays.copyOf(sigma, n);
    Arrays.sort(used);
    return used[(int) (0.1 * (n - 1))];
  }

  /** Mean standard deviation of luma over 8×8 blocks, / 255: contrast of detail, not of layout. */
  static double localContrast(float[] y, int w, int h) {
    double total = 0;
    int blocks = 0;
    for (int by = 0; by + BLOCK <= h; by += BLOCK) {
      for (int bx = 0; bx + BLOCK <= w; bx += BLOCK) {
        double s = 0;
        double ss = 0;
        for (int yy = by; yy < by + BLOCK; yy++) {
          for (int xx = bx; xx < bx + BLOCK; xx++) {
            double v = y[yy * w + xx];
            s += v;
            ss += v * v;
          }
        }
        double mean = s / (BLOCK * BLOCK);
        total += Math.sqrt(Math.max(0, ss / (BLOCK * BLOCK) - mean * mean));
        blocks++;
      }
    }
    return blocks == 0 ? 0 : total / blocks / 255;
  }

  /**
   * Share of pixels that are clearly coloured (max − min channel ≥ 64 levels) and have a channel at
   * 0–1 or 254–255: chroma pushed past what 8 bits hold. Black and white clipping do not count
   * (those are exposure).
   */
  static double colourClipped(Pixels p) {
    int n = p.y.length;
    int clipped = 0;
    for (int i = 0; i < n; i++) {
      float max = Math.max(p.r[i], Math.max(p.g[i], p.b[i]));
      float min = Math.min(p.r[i], Math.min(p.g[i], p.b[i]));
      if (max - min >= 64 && (max >= 253.5f || min <= 1.5f)) {
        clipped++;
      }
    }
    return n == 0 ? 0 : (double) clipped / n;
  }

  /** Luma (0–255) at quantile {@code q} of the 256-bin histogram of {@code n} pixels. */
  static double percentile(int[] hist, int n, double q) {
    long target = (long) Math.ceil(q * n);
    long seen = 0;
    for (int i = 0; i < 256; i++) {
      seen += hist[i];
      if (seen >= Math.max(1, target)) {
        return i;
      }
    }
    return 255;
  }

  static double blockiness(float[] y, int w, int h) {
    if (w < 16 || h < 16) {
      return 0;
    }
    double ratioH = gridRatio(y, w, h, 1, w);
    double ratioV = gridRatio(y, h, w, w, 1);
    return Math.max(0, (ratioH + ratioV) / 2 - 1);
  }

  /**
   * Along one axis: the mean |step| between pixels i and i+1, per phase i mod 8; returns (largest
   * phase + 1) / (mean of the other phases + 1). A JPEG's block edges all fall on one phase.
   */
  private static double gridRatio(float[] y, int along, int across, int step, int stride) {
    double[] sum = new double[8];
    long[] count = new long[8];
    for (int line = 0; line < across; line++) {
      int base = line * stride;
      for (int i = 0; i + 1 < along; i++) {
        sum[i % 8] += Math.abs(y[base + (i + 1) * step] - y[base + i * step]);
        count[i % 8]++;
      }
    }
    int worst = 0;
    double[] mean = new double[8];
    for (int k = 0; k < 8; k++) {
      mean[k] = sum[k] / Math.max(1, count[k]);
      if (mean[k] > mean[worst]) {
        worst = k;
      }
    }
    double others = 0;
    for (int k = 0; k < 8; k++) {
      others += k == worst ? 0 : mean[k] / 7;
    }
    return (mean[worst] + 1) / (others + 1);
  }
}

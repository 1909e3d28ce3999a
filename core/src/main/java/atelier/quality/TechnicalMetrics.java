package atelier.quality;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * No-reference technical measurements of one image, computed in pure Java. Sharpness, noise,
 * exposure, contrast, colourfulness and entropy are measured at a working scale (short side at most
 * {@value #WORKING_SHORT_SIDE} px) so images of different sizes compare; banding and blockiness at
 * the native size, where quantisation steps and the 8×8 JPEG grid are.
 *
 * @param sharpness variance of the 4-neighbour Laplacian of luma (OpenCV {@code Laplacian} with
 *     {@code ksize=1}, reflect-101 border), in luma levels²; low means blurry
 * @param noise estimated standard deviation of Gaussian noise in luma levels (0–255): Immerkær's
 *     fast estimator, skipping strong edges (gradient above 3× the median) as Tai and Yang do
 * @param brightness mean luma in 0..1
 * @param shadowsClipped share of pixels with luma ≤ 2 (crushed to black)
 * @param highlightsClipped share of pixels with luma ≥ 253 (blown to white)
 * @param contrast RMS contrast: standard deviation of luma / 255
 * @param colourfulness Hasler and Süsstrunk's M (2003) on 0–255 RGB; above about 109 is "extremely
 *     colourful"
 * @param saturation mean HSV saturation in 0..1
 * @param banding 0..1: in smooth 16×16 blocks, the share of luma levels between the block's darkest
 *     and brightest that no pixel takes (posterised gradients leave gaps)
 * @param blockiness ≥ 0: how much larger luma steps across an 8-pixel grid are than steps inside
 *     it, minus one (JPEG blocking), for the grid phase with the largest steps on each axis, so a
 *     cropped JPEG whose grid is shifted still counts; about 0 for natural images
 * @param entropy Shannon entropy of the 256-level luma histogram, in bits (0–8)
 * @param lumaSpread standard deviation of luma in levels (blank-frame detection)
 * @param luma99 99th percentile of luma in levels (black-frame detection)
 * @param sharpnessHalf the same Laplacian variance at half the working scale (2×2 means); blur
 *     removes fine detail first, so {@code sharpness / sharpnessHalf} falls with blur whatever the
 *     content
 * @param flatNoise noise σ in levels in the flattest blocks ({@link LocalMeasures#flatNoise}),
 *     blind to texture
 * @param localContrast mean luma standard deviation of 8×8 blocks / 255
 * @param colourClipped share of clearly coloured pixels with a channel at 0 or 255 (oversaturation)
 * @param luma1 1st percentile of luma in levels (a lifted black point: haze, overexposure)
 * @param luma50 median luma in levels
 */
public record TechnicalMetrics(
    double sharpness,
    double noise,
    double brightness,
    double shadowsClipped,
    double highlightsClipped,
    double contrast,
    double colourfulness,
    double saturation,
    double banding,
    double blockiness,
    double entropy,
    double lumaSpread,
    double luma99,
    double sharpnessHalf,
    double flatNoise,
    double localContrast,
    double colourClipped,
    double luma1,
    double luma50) {

  /** Short side of the working scale, in pixels. */
  public static final int WORKING_SHORT_SIDE = 512;

  /** Measures {@code image}. Stateless and thread-safe. */
  public static TechnicalMetrics of(BufferedImage image) {
    Pixels native_ = Pixels.of(image);
    Pixels work =
        Math.min(image.getWidth(), image.getHeight()) <= WORKING_SHORT_SIDE
            ? native_
            : Pixels.of(Pixels.workingScale(image, WORKING_SHORT_SIDE));
    double[] stats = meanStd(work.y);
    int[] hist = histogram(work.y);
    int n = work.y.length;
    float[] half = LocalMeasures.halfScale(work.y, work.width, work.height);
    return new TechnicalMetrics(
        laplacianVariance(work.y, work.width, work.height),
        noiseSigma(work.y, work.width, work.height),
        stats[0] / 255.0,
        (double) (hist[0] + hist[1] + hist[2]) / n,
        (double) (hist[253] + hist[254] + hist[255]) / n,
        stats[1] / 255.0,
        colourfulness(work),
        saturation(work),
        banding(native_.y, native_.width, native_.height),
        LocalMeasures.blockiness(native_.y, native_.width, native_.height),
        entropy(hist, n),
        stats[1],
        LocalMeasures.percentile(hist, n, 0.99),
        laplacianVariance(half, work.width / 2, work.height / 2),
        LocalMeasures.flatNoise(work.y, work.width, work.height),
        LocalMeasures.localContrast(work.y, work.width, work.height),
        LocalMeasures.colourClipped(work),
        LocalMeasures.percentile(hist, n, 0.01),
        LocalMeasures.percentile(hist, n, 0.5));
  }

  static double[] meanStd(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x;
    }
    double mean = sum / v.length;
    double ss = 0;
    for (float x : v) {
      double d = x - mean;
      ss += d * d;
    }
    return new double[] {mean, Math.sqrt(ss / v.length)};
  }

  static int[] histogram(float[] luma) {
    int[] hist = new int[256];
    for (float x : luma) {
      hist[Math.max(0, Math.min(255, Math.round(x)))]++;
    }
    return hist;
  }

  static double entropy(int[] hist, int n) {
    double h = 0;
    for (int c : hist) {
      if (c > 0) {
        double p = (double) c / n;
        h -= p * Math.log(p) / Math.log(2);
      }
    }
    return h;
  }

  /** Index with reflect-101 borders (…, 2, 1, | 0, 1, 2, …, n−1, | n−2, …), as OpenCV's default. */
  private static int reflect101(int i, int n) {
    if (n == 1) {
      return 0;
    }
    if (i < 0) {
      return -i;
    }
    return i >= n ? 2 * n - 2 - i : i;
  }

  static double laplacianVariance(float[] y, int w, int h) {
    double sum = 0;
    double ss = 0;
    for (int row = 0; row < h; row++) {
      int up = reflect101(row - 1, h) * w;
      int down = reflect101(row + 1, h) * w;
      int at = row * w;
      for (int x = 0; x < w; x++) {
        double lap =
            (double) y[up + x]
                + y[down + x]
                + y[at + reflect101(x - 1, w)]
                + y[at + reflect101(x + 1, w)]
                - 4.0 * y[at + x];
        sum += lap;
        ss += lap * lap;
      }
    }
    double n = (double) w * h;
    double mean = sum / n;
    return Math.max(0, ss / n - mean * mean);
  }

  static double noiseSigma(float[] y, int w, int h) {
    if (w < 3 || h < 3) {
      return 0;
    }
    int inner = (w - 2) * (h - 2);
    float[] grad = new float[inner];
    float[] mask = new float[inner];
    int k = 0;
    for (int row = 1; row < h - 1; row++) {
      for (int x = 1; x < w - 1; x++) {
        int i = row * w + x;
        float a = y[i - w - 1], b = y[i - w], c = y[i - w + 1];
        float d = y[i - 1], e = y[i], f = y[i + 1];
        float g = y[i + w - 1], hh = y[i + w], ii = y[i + w + 1];
        float gx = (c + 2 * f + ii) - (a + 2 * d + g);
        float gy = (g + 2 * hh + ii) - (a + 2 * b + c);
        grad[k] = Math.abs(gx) + Math.abs(gy);
        // Immerkær's mask: the difference of two Laplacians, blind to planes and ramps.
        mask[k] = Math.abs((a + c + g + ii) - 2 * (b + d + f + hh) + 4 * e);
        k++;
      }
    }
    float[] sorted = grad.clone();
    Arrays.sort(sorted);
    float limit = Math.max(3 * sorted[inner / 2], 1e-3f);
    double sum = 0;
    int used = 0;
    for (int j = 0; j < inner; j++) {
      if (grad[j] <= limit) {
        sum += mask[j];
        used++;
      }
    }
    return used == 0 ? 0 : Math.sqrt(Math.PI / 2) * sum / (6.0 * used);
  }

  static double colourfulness(Pixels p) {
    int n = p.y.length;
    double srg = 0, syb = 0, ssrg = 0, ssyb = 0;
    for (int i = 0; i < n; i++) {
      double rg = p.r[i] - p.g[i];
      double yb = 0.5 * (p.r[i] + p.g[i]) - p.b[i];
      srg += rg;
      syb += yb;
      ssrg += rg * rg;
      ssyb += yb * yb;
    }
    double mrg = srg / n;
    double myb = syb / n;
    double vrg = Math.max(0, ssrg / n - mrg * mrg);
    double vyb = Math.max(0, ssyb / n - myb * myb);
    return Math.sqrt(vrg + vyb) + 0.3 * Math.sqrt(mrg * mrg + myb * myb);
  }

  static double saturation(Pixels p) {
    double sum = 0;
    for (int i = 0; i < p.y.length; i++) {
      float max = Math.max(p.r[i], Math.max(p.g[i], p.b[i]));
      float min = Math.min(p.r[i], Math.min(p.g[i], p.b[i]));
      sum += max <= 0 ? 0 : (max - min) / max;
    }
    return sum / p.y.length;
  }

  static double banding(float[] y, int w, int h) {
    final int block = 16;
    double gaps = 0;
    int blocks = 0;
    boolean[] seen = new boolean[256];
    for (int by = 0; by + block <= h; by += block) {
      for (int bx = 0; bx + block <= w; bx += block) {
        int min = 255;
        int max = 0;
        int maxStep = 0;
        Arrays.fill(seen, false);
        for (int yy = by; yy < by + block; yy++) {
          int prev = -1;
          for (int xx = bx; xx < bx + block; xx++) {
            int v = Math.max(0, Math.min(255, Math.round(y[yy * w + xx])));
            seen[v] = true;
            min = Math.min(min, v);
            max = Math.max(max, v);
            if (prev >= 0) {
              maxStep = Math.max(maxStep, Math.abs(v - prev));
            }
            if (yy > by) {
              int above = Math.round(y[(yy - 1) * w + xx]);
              maxStep = Math.max(maxStep, Math.abs(v - above));
            }
            prev = v;
          }
        }
        // Smooth blocks only: a real edge (a big step) is drawing, not banding.
        int range = max - min;
        if (range >= 3 && range <= 64 && maxStep <= 40) {
          int distinct = 0;
          for (int v = min; v <= max; v++) {
            distinct += seen[v] ? 1 : 0;
          }
          gaps += 1.0 - (double) distinct / (range + 1);
          blocks++;
        }
      }
    }
    return blocks == 0 ? 0 : gaps / blocks;
  }
}

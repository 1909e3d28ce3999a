package atelier.quality;

import atelier.image.Resize;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * 64-bit DCT perceptual hash, as OpenCV's {@code img_hash::PHash}: the image shrunk to 32×32 luma,
 * its orthonormal 2-D DCT-II, the top-left 8×8 coefficients with the DC term zeroed, one bit per
 * coefficient above their mean. Atelier shrinks with antialiased Lanczos instead of OpenCV's
 * bilinear sampling, so hashes agree with OpenCV's to a few bits and are steadier under noise.
 * Near-duplicate images differ in few bits (Hamming distance). Stateless.
 */
public final class PerceptualHash {
  /** Hamming distance at or below which two candidates count as near-duplicates. */
  public static final int NEAR_DUPLICATE_BITS = 6;

  private static final int N = 32;
  private static final double[][] COS = cosTable();

  private PerceptualHash() {}

  /** The 64-bit hash of {@code image}; bit {@code 8·row + col} is coefficient (row, col). */
  public static long of(BufferedImage image) {
    Pixels p = Pixels.of(Resize.resample(image, N, N));
    double[][] in = new double[N][N];
    for (int y = 0; y < N; y++) {
      for (int x = 0; x < N; x++) {
        in[y][x] = p.y[y * N + x];
      }
    }
    double[][] dct = dct8x8(in);
    dct[0][0] = 0;
    double mean = 0;
    for (double[] row : dct) {
      for (double v : row) {
        mean += v;
      }
    }
    mean /= 64;
    long bits = 0;
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        if (dct[y][x] > mean) {
          bits |= 1L << (8 * y + x);
        }
      }
    }
    return bits;
  }

  /** Number of differing bits. */
  public static int distance(long a, long b) {
    return Long.bitCount(a ^ b);
  }

  /**
   * For each hash, the index of an earlier one within {@code maxBits} (its near-duplicate), or -1.
   * Earlier entries win, so callers pass hashes best-first to keep the best of each group.
   */
  public static int[] nearDuplicates(List<Long> hashes, int maxBits) {
    int[] of = new int[hashes.size()];
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < hashes.size(); i++) {
      of[i] = -1;
      for (int k : kept) {
        if (distance(hashes.get(i), hashes.get(k)) <= maxBits) {
          of[i] = k;
          break;
        }
      }
      if (of[i] < 0) {
        kept.add(i);
      }
    }
    return of;
  }

  /** The first 8×8 coefficients of the orthonormal 2-D DCT-II of a 32×32 block. */
  private static double[][] dct8x8(double[][] in) {
    double[][] rows = new double[N][8];
    for (int y = 0; y < N; y++) {
      for (int u = 0; u < 8; u++) {
        double s = 0;
        for (int x = 0; x < N; x++) {
          s += in[y][x] * COS[u][x];
        }
        rows[y][u] = s;
      }
    }
    double[][] out = new double[8][8];
    for (int v = 0; v < 8; v++) {
      for (int u = 0; u < 8; u++) {
        double s = 0;
        for (int y = 0; y < N; y++) {
          s += rows[y][u] * COS[v][y];
        }
        out[v][u] = s;
      }
    }
    return out;
  }

  private static double[][] cosTable() {
    double[][] c = new double[8][N];
    for (int k = 0; k < 8; k++) {
      double scale = Math.sqrt((k == 0 ? 1.0 : 2.0) / N);
      for (int x = 0; x < N; x++) {
        c[k][x] = scale * Math.cos(Math.PI * (2 * x + 1) * k / (2.0 * N));
      }
    }
    return c;
  }
}

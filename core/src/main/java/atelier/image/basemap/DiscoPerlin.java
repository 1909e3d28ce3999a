package atelier.image.basemap;

import atelier.diffusion.TorchGenerator;
import java.util.Arrays;

/**
 * Disco Diffusion's Perlin noise (alembics/disco-diffusion {@code disco.py}: {@code perlin}, {@code
 * perlin_ms}, {@code create_perlin_noise}, {@code regen_perlin}), reproduced draw for draw so a
 * seed gives DD's picture: gradients come from a torch-compatible generator in DD's order, the
 * field is summed in float32 in DD's order, resized as torchvision's tensor {@code resize} did in
 * 2022 (bilinear, half-pixel centres, no antialiasing), truncated to bytes and auto-contrasted per
 * channel as PIL's {@code ImageOps.autocontrast}.
 *
 * <p>DD evaluates each octave on a 4096² (or 1024²) grid and then samples it; this evaluates only
 * the grid rows and columns the bilinear resize reads, which gives the same values. Stateless.
 */
final class DiscoPerlin {
  private DiscoPerlin() {}

  /**
   * DD's two noise images for a seed: {@code [0]} the 12-octave one on one cell, {@code [1]} the
   * 8-octave one on 4×4 cells, each as {@code [channel][y·width + x]} levels (grey repeated).
   */
  static int[][][] render(Noise.Mode mode, long seed, int width, int height) {
    TorchGenerator gen = TorchGenerator.cpu(seed);
    int[][] a = create(gen, octaves(12), 1, mode == Noise.Mode.GRAY, width, height);
    int[][] b = create(gen, octaves(8), 4, mode != Noise.Mode.COLOR, width, height);
    return new int[][][] {a, b};
  }

  /** DD's octave weights {@code [1.5**-i * 0.5 for i in range(n)]}. */
  static double[] octaves(int n) {
    double[] o = new double[n];
    for (int i = 0; i < n; i++) {
      o[i] = Math.pow(1.5, -i) * 0.5;
    }
    return o;
  }

  /** {@code create_perlin_noise(octaves, cells, cells, grey)} as three planes of levels. */
  static int[][] create(
      TorchGenerator gen, double[] octaves, int cells, boolean grey, int width, int height) {
    int size = cells << octaves.length;
    Axis rows = new Axis(size, height);
    Axis cols = new Axis(size, width);
    int channels = grey ? 1 : 3;
    int[][] out = new int[3][];
    for (int c = 0; c < channels; c++) {
      float[] field = multiscale(gen, octaves, cells, rows.needed, cols.needed);
      out[c] = autocontrast(resize(field, rows, cols));
    }
    if (grey) {
      out[1] = out[0];
      out[2] = out[0];
    }
    return out;
  }

  /** {@code perlin_ms} for one channel at the needed grid rows × columns (row-major). */
  private static float[] multiscale(
      TorchGenerator gen, double[] octaves, int cells, int[] rows, int[] cols) {
    float[] acc = new float[rows.length * cols.length];
    Arrays.fill(acc, 0.5f);
    int scale = 1 << octaves.length;
    int cw = cells;
    int ch = cells;
    for (double weight : octaves) {
      float oct = (float) weight;
      int stride = ch + 1;
      float[] g = gen.randn(2 * (cw + 1) * stride);
      int gyOff = (cw + 1) * stride;
      float[] xsOf = new float[rows.length];
      float[] wxOf = new float[rows.length];
      int[] iOf = new int[rows.length];
      for (int r = 0; r < rows.length; r++) {
        iOf[r] = rows[r] / scale;
        xsOf[r] = (float) (rows[r] % scale) / scale;
        wxOf[r] = 1f - interp(xsOf[r]);
      }
      for (int q = 0; q < cols.length; q++) {
        int j = cols[q] / scale;
        float ys = (float) (cols[q] % scale) / scale;
        float wy = 1f - interp(ys);
        for (int r = 0; r < rows.length; r++) {
          int i = iOf[r];
          float xs = xsOf[r];
          float wx = wxOf[r];
          int i00 = i * stride + j;
          int i10 = (i + 1) * stride + j;
          float gx00 = g[i00];
          float gy00 = g[gyOff + i00];
          float gx10 = g[i10];
          float gy10 = g[gyOff + i10];
          float gx01 = g[i00 + 1];
          float gy01 = g[gyOff + i00 + 1];
          float gx11 = g[i10 + 1];
          float gy11 = g[gyOff + i10 + 1];
          float dots = wx * wy * (gx00 * xs + gy00 * ys);
          dots += (1f - wx) * wy * (-gx10 * (1f - xs) + gy10 * ys);
          dots += wx * (1f - wy) * (gx01 * xs - gy01 * (1f - ys));
          dots += (1f - wx) * (1f - wy) * (-gx11 * (1f - xs) - gy11 * (1f - ys));
          int k = r * cols.length + q;
          acc[k] += dots * oct;
        }
      }
      scale /= 2;
      cw *= 2;
      ch *= 2;
    }
    return acc;
  }

  /** DD's fade {@code 3t² − 2t³} in float32 as torch evaluates it. */
  private static float interp(float t) {
    return 3f * (t * t) - 2f * (t * t * t);
  }

  /** Bilinear resize of the sampled field, then torchvision's {@code mul(255).byte()}. */
  private static int[] resize(float[] field, Axis rows, Axis cols) {
    int w = cols.out;
    int[] out = new int[rows.out * w];
    int stride = cols.needed.length;
    for (int y = 0; y < rows.out; y++) {
      int r0 = rows.idx0[y];
      int r1 = rows.idx1[y];
      float ly = rows.lambda[y];
      for (int x = 0; x < w; x++) {
        int c0 = cols.idx0[x];
        int c1 = cols.idx1[x];
        float lx = cols.lambda[x];
        float top = field[r0 * stride + c0] * (1f - lx) + field[r0 * stride + c1] * lx;
        float bottom = field[r1 * stride + c0] * (1f - lx) + field[r1 * stride + c1] * lx;
        float v = top * (1f - ly) + bottom * ly;
        v = Math.max(0f, Math.min(1f, v));
        out[y * w + x] = (int) (v * 255f);
      }
    }
    return out;
  }

  /** PIL's {@code ImageOps.autocontrast} (cutoff 0) on one channel. */
  static int[] autocontrast(int[] levels) {
    int lo = 255;
    int hi = 0;
    for (int v : levels) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (hi <= lo) {
      return levels;
    }
    double scale = 255.0 / (hi - lo);
    double offset = -lo * scale;
    int[] lut = new int[256];
    for (int ix = 0; ix < 256; ix++) {
      lut[ix] = Math.max(0, Math.min(255, (int) (ix * scale + offset)));
    }
    int[] out = new int[levels.length];
    for (int i = 0; i < levels.length; i++) {
      out[i] = lut[levels[i]];
    }
    return out;
  }

  /**
   * One axis of torch's bilinear resize from {@code in} grid points to {@code out} pixels ({@code
   * align_corners=False}): source {@code max(0, (in/out)·(d + 0.5) − 0.5)} in float32, the two grid
   * points it falls between, and the weight of the second. {@code needed} lists the grid points
   * read; {@code idx0}/{@code idx1} index into it.
   */
  private static final class Axis {
    final int out;
    final int[] needed;
    final int[] idx0;
    final int[] idx1;
    final float[] lambda;

    Axis(int in, int out) {
      this.out = out;
      float scale = (float) in / out;
      int[] p0 = new int[out];
      int[] p1 = new int[out];
      lambda = new float[out];
      java.util.TreeSet<Integer> set = new java.util.TreeSet<>();
      for (int d = 0; d < out; d++) {
        float src = scale * (d + 0.5f) - 0.5f;
        if (src < 0) {
          src = 0;
        }
        int i0 = (int) src;
        p0[d] = i0;
        p1[d] = i0 + (i0 < in - 1 ? 1 : 0);
        lambda[d] = src - i0;
        set.add(p0[d]);
        set.add(p1[d]);
      }
      needed = set.stream().mapToInt(Integer::intValue).toArray();
      idx0 = new int[out];
      idx1 = new int[out];
      for (int d = 0; d < out; d++) {
        idx0[d] = Arrays.binarySearch(needed, p0[d]);
        idx1[d] = Arrays.binarySearch(needed, p1[d]);
      }
    }
  }
}

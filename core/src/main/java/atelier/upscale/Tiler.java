package atelier.upscale;

import atelier.BadRequestException;
import atelier.CancelToken;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Runs an {@link Upscaler} over an image in overlapping tiles and blends them, so any image fits a
 * memory budget without visible seams.
 *
 * <p>Tiles are {@code tile × tile} input pixels (smaller only where the image is), spread evenly so
 * neighbours overlap by at least {@code overlap} pixels. In each overlap the two tiles are
 * cross-faded over its middle half: the outer quarter next to a tile's edge, where the network saw
 * padding instead of the neighbouring pixels, gets weight 0, and the weights of the two tiles sum
 * to 1 everywhere. Tiles are padded by repeating edge pixels to the model's size multiple.
 * Stateless.
 */
public final class Tiler {
  /** Smallest tile side accepted, in input pixels. */
  public static final int MIN_TILE = 32;

  private Tiler() {}

  /**
   * Upscales {@code image} by the model's scale.
   *
   * @param tile tile side in input pixels, or 0 for one run over the whole image
   * @param overlap minimum overlap of neighbouring tiles, in input pixels
   * @param onTile called after each tile with the number done so far
   * @throws BadRequestException when the tile is too small for the overlap
   */
  public static PlanarImage upscale(
      Upscaler up,
      PlanarImage image,
      int tile,
      int overlap,
      IntConsumer onTile,
      CancelToken cancel) {
    if (image.channels() != 3) {
      throw new IllegalArgumentException("tiler: expected RGB planes, found " + image);
    }
    int w = image.width();
    int h = image.height();
    int t = effectiveTile(up, w, h, tile);
    if (t > 0 && t < Math.max(MIN_TILE, 2 * overlap + up.alignment())) {
      throw new BadRequestException(
          "tile: expected at least "
              + Math.max(MIN_TILE, 2 * overlap + up.alignment())
              + " pixels for an overlap of "
              + overlap
              + ", found "
              + t);
    }
    List<Span> xs = spans(w, t == 0 ? w : t, overlap);
    List<Span> ys = spans(h, t == 0 ? h : t, overlap);
    int s = up.scale();
    int ow = w * s;
    int oh = h * s;
    float[] acc = new float[3 * ow * oh];
    float[] weight = new float[ow * oh];
    int done = 0;
    for (Span y : ys) {
      for (Span x : xs) {
        cancel.check();
        int[] runSize = runSize(up, x.length, y.length);
        PlanarImage in = image.region(x.start, y.start, runSize[0], runSize[1]);
        float[] out = up.run(in.data(), runSize[0], runSize[1]);
        float[] wx = x.weights(s);
        float[] wy = y.weights(s);
        int rw = runSize[0] * s;
        int rh = runSize[1] * s;
        for (int j = 0; j < y.length * s; j++) {
          int oy = y.start * s + j;
          for (int i = 0; i < x.length * s; i++) {
            int ox = x.start * s + i;
            float wgt = wx[i] * wy[j];
            int o = oy * ow + ox;
            int r = j * rw + i;
            weight[o] += wgt;
            acc[o] += wgt * out[r];
            acc[ow * oh + o] += wgt * out[rw * rh + r];
            acc[2 * ow * oh + o] += wgt * out[2 * rw * rh + r];
          }
        }
        onTile.accept(++done);
      }
    }
    int plane = ow * oh;
    for (int i = 0; i < plane; i++) {
      float inv = 1f / weight[i];
      acc[i] *= inv;
      acc[plane + i] *= inv;
      acc[2 * plane + i] *= inv;
    }
    return new PlanarImage(3, ow, oh, acc);
  }

  /** How many model runs {@link #upscale} makes for this image and tiling. */
  public static int tileCount(Upscaler up, int width, int height, int tile, int overlap) {
    int t = effectiveTile(up, width, height, tile);
    return spans(width, t == 0 ? width : t, overlap).size()
        * spans(height, t == 0 ? height : t, overlap).size();
  }

  /**
   * The largest tile side (a multiple of 8 and of the model's size multiple) whose estimated
   * working memory fits {@code budgetBytes}, or 0 when the whole image fits. Never below the
   * smallest tile the overlap allows, whatever the budget.
   */
  public static int tileForBudget(
      Upscaler up, int width, int height, int overlap, long budgetBytes) {
    if (up.fixedSize().isPresent()) {
      return up.fixedSize().get()[1];
    }
    if (up.estimatedBytes(width, height) <= budgetBytes) {
      return 0;
    }
    int step = lcm(8, up.alignment());
    int least = Math.max(MIN_TILE, 2 * overlap + up.alignment());
    int best = step * (int) Math.ceil((double) least / step);
    int side = Math.max(width, height);
    for (int t = best; t < side; t += step) {
      if (up.estimatedBytes(t, t) > budgetBytes) {
        break;
      }
      best = t;
    }
    // As few tiles as that size allows, then the smallest side that still covers the image with
    // them: 512 px under a budget for 456 px takes 2×2 tiles of 272, not 2×2 of 456.
    int n = (int) Math.ceil((double) (side - overlap) / (best - overlap));
    int even = (int) Math.ceil((double) (side + (n - 1) * overlap) / n);
    return Math.max(least, Math.min(best, step * (int) Math.ceil((double) even / step)));
  }

  private static int effectiveTile(Upscaler up, int w, int h, int tile) {
    if (up.fixedSize().isPresent()) {
      int[] f = up.fixedSize().get();
      if (f[0] != f[1]) {
        throw new BadRequestException(
            up.id()
                + ": expected a square fixed input size for tiling, found "
                + f[1]
                + "×"
                + f[0]);
      }
      return f[0];
    }
    if (tile < 0) {
      throw new BadRequestException("tile: expected 0 (whole image) or a side, found " + tile);
    }
    return tile >= w && tile >= h ? 0 : tile;
  }

  /** The size one run takes: the tile, grown to the model's multiple or fixed size. */
  private static int[] runSize(Upscaler up, int w, int h) {
    if (up.fixedSize().isPresent()) {
      int[] f = up.fixedSize().get();
      return new int[] {f[1], f[0]};
    }
    int a = up.alignment();
    return new int[] {(w + a - 1) / a * a, (h + a - 1) / a * a};
  }

  private static int lcm(int a, int b) {
    int x = a;
    int y = b;
    while (y != 0) {
      int r = x % y;
      x = y;
      y = r;
    }
    return a / x * b;
  }

  /** Tiles along one axis: evenly spread starts, each {@code tile} long (or the whole side). */
  static List<Span> spans(int size, int tile, int overlap) {
    List<Span> out = new ArrayList<>();
    if (tile >= size) {
      out.add(new Span(0, size, 0, 0));
      return out;
    }
    int n = (int) Math.ceil((double) (size - overlap) / (tile - overlap));
    n = Math.max(n, 2);
    int[] starts = new int[n];
    for (int i = 0; i < n; i++) {
      starts[i] = (int) Math.round((double) i * (size - tile) / (n - 1));
    }
    for (int i = 0; i < n; i++) {
      int before = i == 0 ? 0 : starts[i - 1] + tile - starts[i];
      int after = i == n - 1 ? 0 : starts[i] + tile - starts[i + 1];
      out.add(new Span(starts[i], tile, before, after));
    }
    return out;
  }

  /** One tile along an axis: start, length and overlaps with the previous and next tiles. */
  record Span(int start, int length, int before, int after) {
    /** Blend weights along this span, for output pixels at {@code scale}. */
    float[] weights(int scale) {
      int n = length * scale;
      float[] w = new float[n];
      for (int i = 0; i < n; i++) {
        float a = before == 0 ? 1f : ramp(i, before * scale);
        float b = after == 0 ? 1f : ramp(n - 1 - i, after * scale);
        // A small floor keeps every pixel covered when three tiles share a narrow image.
        w[i] = Math.max(a * b, 1e-6f);
      }
      return w;
    }

    /** 0 in the outer quarter of an overlap, rising linearly to 1 at its inner quarter. */
    private static float ramp(int distance, int overlap) {
      float v = (distance + 0.5f - overlap / 4f) / (overlap / 2f);
      return v < 0f ? 0f : Math.min(v, 1f);
    }
  }
}

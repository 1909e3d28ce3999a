package atelier.image.basemap;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Operations to make inpainting masks from other masks: grow or shrink the white area ({@code
 * dilate}, {@code erode}: the largest or smallest value in a square of side {@code 2·radius + 1},
 * per channel, alpha included) and {@code feather} its edge (a linear ramp by distance).
 */
final class Morphology {
  private Morphology() {}

  /**
   * Grows the light areas: each channel becomes its maximum over the square of side {@code 2·radius
   * + 1} around the pixel (edges: the square is cut by the image).
   *
   * @param radius pixels, 1 to 256
   */
  record Dilate(int radius) implements BasemapOp {
    Dilate {
      Check.range("dilate", "radius", radius, 1, 256);
    }

    static Dilate of(OpArgs a) {
      return new Dilate(a.integer("radius", 4));
    }

    @Override
    public OpKind kind() {
      return OpKind.DILATE;
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      return extreme(Pixels.of(image), radius, true).toImage();
    }

    @Override
    public Map<String, Object> params() {
      return Map.of("radius", radius);
    }
  }

  /**
   * Shrinks the light areas: each channel becomes its minimum over the square of side {@code
   * 2·radius + 1} around the pixel.
   *
   * @param radius pixels, 1 to 256
   */
  record Erode(int radius) implements BasemapOp {
    Erode {
      Check.range("erode", "radius", radius, 1, 256);
    }

    static Erode of(OpArgs a) {
      return new Erode(a.integer("radius", 4));
    }

    @Override
    public OpKind kind() {
      return OpKind.ERODE;
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      return extreme(Pixels.of(image), radius, false).toImage();
    }

    @Override
    public Map<String, Object> params() {
      return Map.of("radius", radius);
    }
  }

  /**
   * A soft edge for a mask: the image is read as a mask (luma of at least 128 is white) and becomes
   * grey, white fading to black linearly over {@code radius} pixels of distance — outside the white
   * area (it grows softly, for outpainting overlaps), or with {@code inside} within it. Distances
   * are 3-4 chamfer distances (within 8% of Euclidean).
   *
   * @param radius pixels, 1 to 256
   * @param inside fade inward from the edge instead of outward
   */
  record Feather(int radius, boolean inside) implements BasemapOp {
    Feather {
      Check.range("feather", "radius", radius, 1, 256);
    }

    static Feather of(OpArgs a) {
      return new Feather(a.integer("radius", 8), a.bool("inside", false));
    }

    @Override
    public OpKind kind() {
      return OpKind.FEATHER;
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      Pixels px = Pixels.of(image);
      int n = px.argb.length;
      boolean[] white = new boolean[n];
      for (int i = 0; i < n; i++) {
        int p = px.argb[i];
        int luma =
            (((p >> 16) & 0xff) * 19595 + ((p >> 8) & 0xff) * 38470 + (p & 0xff) * 7471 + 0x8000)
                >> 16;
        white[i] = luma >= 128;
      }
      // distance (in thirds of a pixel) to the nearest pixel of the other kind
      int[] d = chamfer(white, px.width, px.height, !inside);
      for (int i = 0; i < n; i++) {
        double dist = d[i] / 3.0;
        double v = inside ? Math.min(1, dist / radius) : Math.max(0, 1 - dist / radius);
        int g = Pixels.clamp8(255 * v);
        px.argb[i] = Pixels.pack(255, g, g, g);
      }
      return px.toImage();
    }

    @Override
    public Map<String, Object> params() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("radius", radius);
      m.put("inside", inside);
      return m;
    }
  }

  /**
   * 3-4 chamfer distance of every pixel to the nearest pixel whose {@code white} equals {@code
   * target} (0 on such pixels), two passes.
   */
  static int[] chamfer(boolean[] white, int w, int h, boolean target) {
    int inf = Integer.MAX_VALUE / 4;
    int[] d = new int[w * h];
    for (int i = 0; i < d.length; i++) {
      d[i] = white[i] == target ? 0 : inf;
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        int v = d[i];
        if (x > 0) v = Math.min(v, d[i - 1] + 3);
        if (y > 0) {
          v = Math.min(v, d[i - w] + 3);
          if (x > 0) v = Math.min(v, d[i - w - 1] + 4);
          if (x < w - 1) v = Math.min(v, d[i - w + 1] + 4);
        }
        d[i] = v;
      }
    }
    for (int y = h - 1; y >= 0; y--) {
      for (int x = w - 1; x >= 0; x--) {
        int i = y * w + x;
        int v = d[i];
        if (x < w - 1) v = Math.min(v, d[i + 1] + 3);
        if (y < h - 1) {
          v = Math.min(v, d[i + w] + 3);
          if (x < w - 1) v = Math.min(v, d[i + w + 1] + 4);
          if (x > 0) v = Math.min(v, d[i + w - 1] + 4);
        }
        d[i] = v;
      }
    }
    return d;
  }

  /** Per-channel maximum (or minimum) over a square window, across then down. */
  static Pixels extreme(Pixels px, int radius, boolean max) {
    int w = px.width;
    int h = px.height;
    int[] tmp = new int[px.argb.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        tmp[y * w + x] = window(px.argb, y * w, 1, x, w, radius, max);
      }
    }
    int[] out = new int[px.argb.length];
    for (int x = 0; x < w; x++) {
      for (int y = 0; y < h; y++) {
        out[y * w + x] = window(tmp, x, w, y, h, radius, max);
      }
    }
    return new Pixels(w, h, out);
  }

  private static int window(int[] a, int base, int step, int pos, int len, int r, boolean max) {
    int from = Math.max(0, pos - r);
    int to = Math.min(len - 1, pos + r);
    int result = 0;
    for (int shift = 0; shift <= 24; shift += 8) {
      int best = max ? 0 : 255;
      for (int i = from; i <= to; i++) {
        int v = (a[base + i * step] >>> shift) & 0xff;
        best = max ? Math.max(best, v) : Math.min(best, v);
      }
      result |= best << shift;
    }
    return result;
  }
}

package atelier.image.basemap;

import atelier.BadRequestException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How a fill finds the background it replaces while keeping the subject. Every key also honours
 * alpha: the subject is composited over the fill by its own alpha.
 *
 * @param key which pixels are background
 * @param threshold for {@code light}/{@code dark}: the luma (0..1) at or above/below which a pixel
 *     is background
 * @param tolerance for {@code flood}: the largest per-channel difference (0..1) from the border
 *     colour a background pixel may have
 */
public record Keying(Key key, double threshold, double tolerance) {
  /** The ways of telling background from subject. */
  public enum Key {
    /** Everything is background (a plain fill). */
    ALL,
    /** Only transparency: the subject is composited over the fill by its alpha. */
    ALPHA,
    /** Pixels with luma at or above the threshold (a subject on white paper). */
    LIGHT,
    /** Pixels with luma at or below the threshold (a subject on black). */
    DARK,
    /**
     * Pixels connected to the image border through colours within the tolerance of the most common
     * border colour (4-connected), as a flood fill from every edge.
     */
    FLOOD;

    /** Finds a key by name; unknown names get the list of valid ones. */
    public static Key lookup(String name) {
      String n = name.strip().toLowerCase(Locale.ROOT);
      for (Key k : values()) {
        if (k.name().toLowerCase(Locale.ROOT).equals(n)) {
          return k;
        }
      }
      throw new BadRequestException(
          "key: expected one of "
              + Arrays.stream(values())
                  .map(k -> k.name().toLowerCase(Locale.ROOT))
                  .collect(Collectors.joining(", "))
              + ", found '"
              + name
              + "'");
    }
  }

  public Keying {
    Check.notNull("background", "key", key);
    Check.range("background", "threshold", threshold, 0, 1);
    Check.range("background", "tolerance", tolerance, 0, 1);
  }

  /** Reads {@code key} and the one parameter that key takes. */
  static Keying of(OpArgs a, Key def) {
    Key k = a.choice("key", def, Key::lookup);
    double threshold = 0;
    double tolerance = 0;
    switch (k) {
      case LIGHT -> threshold = a.number("threshold", 0.9);
      case DARK -> threshold = a.number("threshold", 0.1);
      case FLOOD -> tolerance = a.number("tolerance", 0.1);
      default -> {}
    }
    return new Keying(k, threshold, tolerance);
  }

  void putParams(Map<String, Object> m) {
    m.put("key", key);
    switch (key) {
      case LIGHT, DARK -> m.put("threshold", threshold);
      case FLOOD -> m.put("tolerance", tolerance);
      default -> {}
    }
  }

  /** 1 where a pixel is background, 0 where it is subject (alpha is handled by compositing). */
  boolean[] background(Pixels px) {
    int n = px.argb.length;
    boolean[] bg = new boolean[n];
    switch (key) {
      case ALL -> Arrays.fill(bg, true);
      case ALPHA -> {}
      case LIGHT -> {
        for (int i = 0; i < n; i++) {
          bg[i] = Pixels.luma(px.argb[i]) >= threshold * 255;
        }
      }
      case DARK -> {
        for (int i = 0; i < n; i++) {
          bg[i] = Pixels.luma(px.argb[i]) <= threshold * 255;
        }
      }
      case FLOOD -> flood(px, bg);
      default -> throw new IllegalStateException(key.toString());
    }
    return bg;
  }

  private void flood(Pixels px, boolean[] bg) {
    int w = px.width;
    int h = px.height;
    int ref = borderMode(px);
    double limit = tolerance * 255;
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int x = 0; x < w; x++) {
      seed(px, bg, queue, x, ref, limit);
      seed(px, bg, queue, (h - 1) * w + x, ref, limit);
    }
    for (int y = 0; y < h; y++) {
      seed(px, bg, queue, y * w, ref, limit);
      seed(px, bg, queue, y * w + w - 1, ref, limit);
    }
    while (!queue.isEmpty()) {
      int i = queue.poll();
      int x = i % w;
      int y = i / w;
      if (x > 0) {
        seed(px, bg, queue, i - 1, ref, limit);
      }
      if (x < w - 1) {
        seed(px, bg, queue, i + 1, ref, limit);
      }
      if (y > 0) {
        seed(px, bg, queue, i - w, ref, limit);
      }
      if (y < h - 1) {
        seed(px, bg, queue, i + w, ref, limit);
      }
    }
  }

  private static void seed(
      Pixels px, boolean[] bg, ArrayDeque<Integer> queue, int i, int ref, double limit) {
    if (!bg[i] && distance(px.argb[i], ref) <= limit) {
      bg[i] = true;
      queue.add(i);
    }
  }

  private static int distance(int p, int q) {
    int d = 0;
    for (int s = 0; s <= 16; s += 8) {
      d = Math.max(d, Math.abs(((p >> s) & 0xff) - ((q >> s) & 0xff)));
    }
    return d;
  }

  /** The most common RGB on the border (ties: the first met going round from the top-left). */
  private static int borderMode(Pixels px) {
    int w = px.width;
    int h = px.height;
    Map<Integer, Integer> counts = new LinkedHashMap<>();
    for (int x = 0; x < w; x++) {
      counts.merge(px.argb[x] & 0xffffff, 1, Integer::sum);
      if (h > 1) {
        counts.merge(px.argb[(h - 1) * w + x] & 0xffffff, 1, Integer::sum);
      }
    }
    for (int y = 1; y < h - 1; y++) {
      counts.merge(px.argb[y * w] & 0xffffff, 1, Integer::sum);
      if (w > 1) {
        counts.merge(px.argb[y * w + w - 1] & 0xffffff, 1, Integer::sum);
      }
    }
    int best = 0;
    int bestCount = -1;
    for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
      if (e.getValue() > bestCount) {
        best = e.getKey();
        bestCount = e.getValue();
      }
    }
    return best;
  }

  /** Composites the image over a fill: background pixels take the fill, the rest go over it. */
  Pixels composite(Pixels px, java.util.function.IntUnaryOperator fillAt) {
    boolean[] bg = background(px);
    int[] out = new int[px.argb.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Pixels.over(px.argb[i], fillAt.applyAsInt(i), bg[i] ? 0 : 1);
    }
    return new Pixels(px.width, px.height, out);
  }
}

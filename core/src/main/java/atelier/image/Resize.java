package atelier.image;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Resampling with an antialiased Lanczos-3 filter (the filter widens when shrinking, as PIL's
 * LANCZOS does), and the ways to fit an image to a target size. Stateless; works on ARGB.
 */
public final class Resize {
  private static final double SUPPORT = 3.0;

  private Resize() {}

  /** How an image is brought to a target size of another aspect ratio. */
  public enum Fit {
    /** Scale to cover the target, then crop the centre (A1111's "crop and resize"). */
    COVER("cover", "crop"),
    /** Scale each axis independently (A1111's "just resize"). */
    STRETCH("stretch", "resize"),
    /** Scale to fit inside, then pad the rest with transparent pixels ("resize and fill"). */
    CONTAIN("contain", "pad");

    private final String[] names;

    Fit(String... names) {
      this.names = names;
    }

    public String cliName() {
      return names[0];
    }

    /** Finds a fit mode by name or alias; unknown names get an error listing the valid ones. */
    public static Fit lookup(String name) {
      String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
      for (Fit f : values()) {
        if (Arrays.asList(f.names).contains(n)) {
          return f;
        }
      }
      throw new BadRequestException(
          "fit: expected one of "
              + Arrays.stream(values()).map(Fit::cliName).collect(Collectors.joining(", "))
              + ", found '"
              + name
              + "'");
    }
  }

  /** Brings {@code src} to exactly {@code width × height} with the given fit. */
  /** The most pixels a cover fit resamples the whole source to before cropping (8192²). */
  private static final long MAX_INTERMEDIATE = 8192L * 8192L;

  public static BufferedImage fit(BufferedImage src, int width, int height, Fit fit) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "target size: expected at least 1×1, found " + width + "×" + height);
    }
    int sw = src.getWidth();
    int sh = src.getHeight();
    if (sw == width && sh == height) {
      return src;
    }
    switch (fit) {
      case STRETCH:
        return resample(src, width, height);
      case COVER:
        {
          double scale = Math.max((double) width / sw, (double) height / sh);
          long lw = Math.max(width, Math.round(sw * scale));
          long lh = Math.max(height, Math.round(sh * scale));
          if (lw * lh > MAX_INTERMEDIATE) {
            // an extreme aspect change (8192×4 to 8192×8192) would resample the whole source to
            // billions of pixels first: crop the source to the target's aspect, then resample
            int cw = (int) Math.max(1, Math.min(sw, Math.round((double) width / scale)));
            int ch = (int) Math.max(1, Math.min(sh, Math.round((double) height / scale)));
            return resample(
                copy(src.getSubimage((sw - cw) / 2, (sh - ch) / 2, cw, ch)), width, height);
          }
          int rw = (int) lw;
          int rh = (int) lh;
          BufferedImage r = resample(src, rw, rh);
          return copy(r.getSubimage((rw - width) / 2, (rh - height) / 2, width, height));
        }
      case CONTAIN:
      default:
        {
          double scale = Math.min((double) width / sw, (double) height / sh);
          int rw = Math.max(1, Math.min(width, (int) Math.round(sw * scale)));
          int rh = Math.max(1, Math.min(height, (int) Math.round(sh * scale)));
          BufferedImage r = resample(src, rw, rh);
          BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
          int[] px = r.getRGB(0, 0, rw, rh, null, 0, rw);
          out.setRGB((width - rw) / 2, (height - rh) / 2, rw, rh, px, 0, rw);
          return out;
        }
    }
  }

  private static BufferedImage copy(BufferedImage sub) {
    BufferedImage out = new BufferedImage(sub.getWidth(), sub.getHeight(), sub.getType());
    int[] px = sub.getRGB(0, 0, sub.getWidth(), sub.getHeight(), null, 0, sub.getWidth());
    out.setRGB(0, 0, sub.getWidth(), sub.getHeight(), px, 0, sub.getWidth());
    return out;
  }

  /**
   * Resamples to {@code width × height} with Lanczos-3, horizontally then vertically, in
   * premultiplied alpha so transparent pixels do not bleed their colour.
   */
  public static BufferedImage resample(BufferedImage src, int width, int height) {
    int sw = src.getWidth();
    int sh = src.getHeight();
    boolean alpha = src.getColorModel().hasAlpha();
    int[] argb = src.getRGB(0, 0, sw, sh, null, 0, sw);
    float[][] planes = new float[4][sw * sh];
    for (int i = 0; i < argb.length; i++) {
      int p = argb[i];
      float a = alpha ? ((p >>> 24) & 0xff) / 255f : 1f;
      planes[0][i] = a;
      planes[1][i] = ((p >> 16) & 0xff) * a;
      planes[2][i] = ((p >> 8) & 0xff) * a;
      planes[3][i] = (p & 0xff) * a;
    }
    Kernel kx = Kernel.of(sw, width);
    Kernel ky = Kernel.of(sh, height);
    float[][] out = new float[4][];
    for (int c = 0; c < 4; c++) {
      float[] horizontal = new float[width * sh];
      for (int y = 0; y < sh; y++) {
        kx.apply(planes[c], y * sw, 1, horizontal, y * width, 1);
      }
      float[] vertical = new float[width * height];
      for (int x = 0; x < width; x++) {
        ky.apply(horizontal, x, width, vertical, x, width);
      }
      out[c] = vertical;
    }
    int[] result = new int[width * height];
    for (int i = 0; i < result.length; i++) {
      float a = out[0][i];
      int ai = clamp(Math.round(a * 255f));
      float inv = a > 1e-6f ? 1f / a : 0f;
      int r = clamp(Math.round(out[1][i] * inv));
      int g = clamp(Math.round(out[2][i] * inv));
      int b = clamp(Math.round(out[3][i] * inv));
      result[i] = ((alpha ? ai : 255) << 24) | (r << 16) | (g << 8) | b;
    }
    BufferedImage img =
        new BufferedImage(
            width, height, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, width, height, result, 0, width);
    return img;
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  /** Precomputed filter taps for one axis. */
  private record Kernel(int[] start, float[][] weights) {
    static Kernel of(int in, int out) {
      double scale = (double) in / out;
      double filterScale = Math.max(scale, 1.0);
      double support = SUPPORT * filterScale;
      int[] start = new int[out];
      float[][] weights = new float[out][];
      for (int i = 0; i < out; i++) {
        double center = (i + 0.5) * scale;
        int lo = Math.max(0, (int) Math.floor(center - support));
        int hi = Math.min(in, (int) Math.ceil(center + support));
        double[] w = new double[hi - lo];
        double sum = 0;
        for (int j = lo; j < hi; j++) {
          double v = lanczos((j + 0.5 - center) / filterScale);
          w[j - lo] = v;
          sum += v;
        }
        float[] f = new float[w.length];
        for (int j = 0; j < w.length; j++) {
          f[j] = (float) (sum == 0 ? 0 : w[j] / sum);
        }
        start[i] = lo;
        weights[i] = f;
      }
      return new Kernel(start, weights);
    }

    void apply(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride) {
      for (int i = 0; i < start.length; i++) {
        float[] w = weights[i];
        int s = srcOff + start[i] * srcStride;
        float acc = 0;
        for (int k = 0; k < w.length; k++) {
          acc += w[k] * src[s + k * srcStride];
        }
        dst[dstOff + i * dstStride] = acc;
      }
    }
  }

  private static double lanczos(double x) {
    if (x == 0) {
      return 1;
    }
    if (x <= -SUPPORT || x >= SUPPORT) {
      return 0;
    }
    double px = Math.PI * x;
    return SUPPORT * Math.sin(px) * Math.sin(px / SUPPORT) / (px * px);
  }
}

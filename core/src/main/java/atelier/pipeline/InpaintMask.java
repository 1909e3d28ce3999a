package atelier.pipeline;

import atelier.image.Resize;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;

/**
 * The mask operations of inpainting, as A1111 and diffusers do them: greyscale by PIL's luma, the
 * Gaussian mask blur, the crop region of "only masked", the colour fill of the masked area, and the
 * paste-back of the original. A mask is 8-bit grey, 255 = repaint. Stateless.
 */
public final class InpaintMask {
  private InpaintMask() {}

  /** An 8-bit grey plane, row-major; 255 repaints, 0 keeps. */
  public record Plane(int width, int height, int[] values) {
    /** Whether any value is above 0. */
    public boolean any() {
      for (int v : values) {
        if (v > 0) {
          return true;
        }
      }
      return false;
    }

    /** As an opaque grey RGB image. */
    public BufferedImage toImage() {
      BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
      int[] px = new int[values.length];
      for (int i = 0; i < px.length; i++) {
        int v = values[i];
        px[i] = (v << 16) | (v << 8) | v;
      }
      out.setRGB(0, 0, width, height, px, 0, width);
      return out;
    }
  }

  /**
   * The mask's grey values: PIL's luma {@code (19595 R + 38470 G + 7471 B + 0x8000) >> 16}, with
   * transparent pixels composited over black (transparent keeps).
   */
  public static Plane grey(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      return greyRaster(image);
    }
    boolean alpha = image.getColorModel().hasAlpha();
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    int[] v = new int[argb.length];
    for (int i = 0; i < argb.length; i++) {
      int p = argb[i];
      int l = luma(p);
      if (alpha) {
        int a = p >>> 24;
        l = (l * a + 127) / 255;
      }
      v[i] = l;
    }
    return new Plane(w, h, v);
  }

  /**
   * A grey picture's own values: read from the raster, since {@code getRGB} would pass them through
   * Java's linear-grey colour space and brighten them.
   */
  private static Plane greyRaster(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    ColorModel cm = image.getColorModel();
    Raster r = image.getRaster();
    int max = (1 << cm.getComponentSize(0)) - 1;
    boolean alpha = cm.hasAlpha() && r.getNumBands() > 1;
    int maxA = alpha ? (1 << cm.getComponentSize(1)) - 1 : 1;
    int[] v = new int[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int g = (int) Math.round(r.getSample(x, y, 0) * 255.0 / max);
        if (alpha) {
          int a = (int) Math.round(r.getSample(x, y, 1) * 255.0 / maxA);
          g = (g * a + 127) / 255;
        }
        v[y * w + x] = g;
      }
    }
    return new Plane(w, h, v);
  }

  static int luma(int rgb) {
    int r = (rgb >> 16) & 0xff;
    int g = (rgb >> 8) & 0xff;
    int b = rgb & 0xff;
    return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
  }

  /** Whether any opaque pixel has colour (red, green and blue not all equal). */
  public static boolean hasColour(BufferedImage image) {
    if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      return false;
    }
    int w = image.getWidth();
    int h = image.getHeight();
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    for (int p : argb) {
      int r = (p >> 16) & 0xff;
      int g = (p >> 8) & 0xff;
      int b = p & 0xff;
      if ((p >>> 24) != 0 && (r != g || g != b)) {
        return true;
      }
    }
    return false;
  }

  /** {@code 255 − v} for every value. */
  public static Plane invert(Plane m) {
    int[] v = new int[m.values.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = 255 - m.values[i];
    }
    return new Plane(m.width, m.height, v);
  }

  /** Resampled to {@code width × height} (Lanczos, as the basemap is). */
  public static Plane resize(Plane m, int width, int height, Resize.Fit fit) {
    if (m.width == width && m.height == height) {
      return m;
    }
    return grey(Resize.fit(m.toImage(), width, height, fit));
  }

  /**
   * A1111's mask blur: OpenCV's Gaussian kernel of {@code 2·int(2.5σ + 0.5) + 1} taps and sigma σ,
   * across then down, borders reflected without repeating the edge (reflect-101), rounded to 8 bits
   * after each pass. Sums in double, taps in order (OpenCV rounds in fixed point, which can differ
   * by one level).
   */
  public static Plane blur(Plane m, int sigma) {
    if (sigma <= 0) {
      return m;
    }
    double[] k = gaussianKernel(sigma);
    int[] across = pass(m.values, m.width, m.height, k, true);
    int[] down = pass(across, m.width, m.height, k, false);
    return new Plane(m.width, m.height, down);
  }

  static double[] gaussianKernel(int sigma) {
    int size = 2 * (int) (2.5 * sigma + 0.5) + 1;
    double half = (size - 1) / 2.0;
    double[] k = new double[size];
    double sum = 0;
    for (int i = 0; i < size; i++) {
      k[i] = Math.exp(-((i - half) * (i - half)) / (2.0 * sigma * sigma));
    }
    for (double v : k) {
      sum += v;
    }
    for (int i = 0; i < size; i++) {
      k[i] /= sum;
    }
    return k;
  }

  private static int[] pass(int[] src, int w, int h, double[] k, boolean horizontal) {
    int r = k.length / 2;
    int n = horizontal ? w : h;
    int[] out = new int[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int pos = horizontal ? x : y;
        double s = 0;
        for (int d = 0; d < k.length; d++) {
          int q = reflect101(pos + d - r, n);
          int idx = horizontal ? y * w + q : q * w + x;
          s += k[d] * src[idx];
        }
        out[y * w + x] = Math.max(0, Math.min(255, (int) Math.floor(s + 0.5)));
      }
    }
    return out;
  }

  private static int reflect101(int i, int n) {
    if (n == 1) {
      return 0;
    }
    while (i < 0 || i >= n) {
      i = i < 0 ? -i : 2 * (n - 1) - i;
    }
    return i;
  }

  /**
   * A1111's {@code get_crop_region}: the bounding box {@code [x1, y1, x2)} of the values above 0,
   * widened by {@code padding} and kept inside the plane.
   *
   * @return {@code {x1, y1, x2, y2}}, exclusive ends
   */
  public static int[] cropRegion(Plane m, int padding) {
    int x1 = m.width;
    int y1 = m.height;
    int x2 = 0;
    int y2 = 0;
    for (int y = 0; y < m.height; y++) {
      for (int x = 0; x < m.width; x++) {
        if (m.values[y * m.width + x] > 0) {
          x1 = Math.min(x1, x);
          y1 = Math.min(y1, y);
          x2 = Math.max(x2, x + 1);
          y2 = Math.max(y2, y + 1);
        }
      }
    }
    return new int[] {
      Math.max(0, x1 - padding),
      Math.max(0, y1 - padding),
      Math.min(m.width, x2 + padding),
      Math.min(m.height, y2 + padding)
    };
  }

  /**
   * A1111's {@code expand_crop_region}: grows the region to the generation's aspect ratio, centred,
   * shifted back inside the image where it can be, clipped where it cannot.
   */
  public static int[] expandCropRegion(int[] r, int width, int height, int imageW, int imageH) {
    int x1 = r[0];
    int y1 = r[1];
    int x2 = r[2];
    int y2 = r[3];
    double ratioCrop = (double) (x2 - x1) / (y2 - y1);
    double ratioProcessing = (double) width / height;
    if (ratioCrop > ratioProcessing) {
      int diff = (int) ((x2 - x1) / ratioProcessing - (y2 - y1));
      y1 -= Math.floorDiv(diff, 2);
      y2 += diff - Math.floorDiv(diff, 2);
      if (y2 >= imageH) {
        int shift = y2 - imageH;
        y2 -= shift;
        y1 -= shift;
      }
      if (y1 < 0) {
        y2 -= y1;
        y1 = 0;
      }
      y2 = Math.min(y2, imageH);
    } else {
      int diff = (int) ((y2 - y1) * ratioProcessing - (x2 - x1));
      x1 -= Math.floorDiv(diff, 2);
      x2 += diff - Math.floorDiv(diff, 2);
      if (x2 >= imageW) {
        int shift = x2 - imageW;
        x2 -= shift;
        x1 -= shift;
      }
      if (x1 < 0) {
        x2 -= x1;
        x1 = 0;
      }
      x2 = Math.min(x2, imageW);
    }
    return new int[] {x1, y1, x2, y2};
  }

  /**
   * A1111's {@code masking.fill} ("fill" masked content): the picture outside the mask, blurred
   * ever less (sigmas 256, 64, 16, 4, 2, 0 with 1, 1, 2, 4, 2, 1 repeats) and laid over itself, so
   * the masked area takes the colours around it. Gaussian blurs of premultiplied colour
   * approximated by three box blurs, as Pillow does.
   */
  public static BufferedImage fill(BufferedImage image, Plane mask) {
    int w = image.getWidth();
    int h = image.getHeight();
    int n = w * h;
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    // the picture with alpha = 255 - mask, premultiplied
    double[][] src = new double[4][n];
    for (int i = 0; i < n; i++) {
      double a = (255 - mask.values[i]) / 255.0;
      int p = argb[i];
      src[0][i] = a;
      src[1][i] = ((p >> 16) & 0xff) * a;
      src[2][i] = ((p >> 8) & 0xff) * a;
      src[3][i] = (p & 0xff) * a;
    }
    // the composite, premultiplied, starting transparent
    double[][] out = new double[4][n];
    int[][] passes = {{256, 1}, {64, 1}, {16, 2}, {4, 4}, {2, 2}, {0, 1}};
    for (int[] pass : passes) {
      double[][] blurred = new double[4][];
      for (int c = 0; c < 4; c++) {
        blurred[c] = pass[0] == 0 ? src[c] : boxGaussian(src[c], w, h, pass[0]);
      }
      for (int rep = 0; rep < pass[1]; rep++) {
        for (int i = 0; i < n; i++) {
          double a = Math.min(1, Math.max(0, blurred[0][i]));
          for (int c = 0; c < 4; c++) {
            out[c][i] = blurred[c][i] + out[c][i] * (1 - a);
          }
        }
      }
    }
    BufferedImage result = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] px = new int[n];
    for (int i = 0; i < n; i++) {
      double a = out[0][i];
      int rgb = 0;
      for (int c = 1; c < 4; c++) {
        double v = a > 1e-9 ? out[c][i] / a : 0;
        rgb = (rgb << 8) | Math.max(0, Math.min(255, (int) Math.round(v)));
      }
      px[i] = rgb;
    }
    result.setRGB(0, 0, w, h, px, 0, w);
    return result;
  }

  /** A Gaussian of {@code sigma} as three box blurs (edges extended), across then down. */
  private static double[] boxGaussian(double[] plane, int w, int h, int sigma) {
    int radius = (int) Math.round((Math.sqrt(4.0 * sigma * sigma + 1) - 1) / 2);
    double[] a = plane.clone();
    for (int i = 0; i < 3; i++) {
      a = box(a, w, h, radius, true);
      a = box(a, w, h, radius, false);
    }
    return a;
  }

  private static double[] box(double[] src, int w, int h, int r, boolean horizontal) {
    double[] out = new double[src.length];
    int lines = horizontal ? h : w;
    int len = horizontal ? w : h;
    double norm = 1.0 / (2 * r + 1);
    for (int line = 0; line < lines; line++) {
      int base = horizontal ? line * w : line;
      int step = horizontal ? 1 : w;
      double sum = 0;
      for (int d = -r; d <= r; d++) {
        sum += src[base + clamp(d, len) * step];
      }
      for (int i = 0; i < len; i++) {
        out[base + i * step] = sum * norm;
        sum += src[base + clamp(i + r + 1, len) * step] - src[base + clamp(i - r, len) * step];
      }
    }
    return out;
  }

  private static int clamp(int i, int n) {
    return Math.max(0, Math.min(n - 1, i));
  }

  /**
   * A1111's paste-back: the original laid over the generated picture with alpha {@code 255 −
   * overlay}, in integer arithmetic: {@code (a·original + (255 − a)·generated + 127) / 255}.
   */
  public static BufferedImage pasteBack(
      BufferedImage generated, BufferedImage original, Plane overlay) {
    int w = generated.getWidth();
    int h = generated.getHeight();
    int[] g = generated.getRGB(0, 0, w, h, null, 0, w);
    int[] o = original.getRGB(0, 0, w, h, null, 0, w);
    int[] px = new int[g.length];
    for (int i = 0; i < g.length; i++) {
      int a = 255 - overlay.values[i];
      int rgb = 0;
      for (int shift = 16; shift >= 0; shift -= 8) {
        int ov = (o[i] >> shift) & 0xff;
        int gv = (g[i] >> shift) & 0xff;
        rgb |= ((a * ov + (255 - a) * gv + 127) / 255) << shift;
      }
      px[i] = rgb;
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    out.setRGB(0, 0, w, h, px, 0, w);
    return out;
  }
}

package atelier.quality;

import atelier.model.Tensor;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * CLIP's image preprocessing as transformers' {@code CLIPImageProcessor} does it: RGB, resize so
 * the short side is {@code size} with Pillow's antialiased bicubic filter (8-bit results, as Pillow
 * returns them), centre crop to {@code size × size}, then {@code (p/255 − mean)/std} per channel
 * with OpenAI's mean and std. Bit-exact with Pillow 9's fixed-point resampler. Stateless.
 */
public final class ClipPreprocess {
  static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
  private static final int PRECISION_BITS = 32 - 8 - 2;

  private ClipPreprocess() {}

  /** A batch of images as {@code pixel_values [B, 3, size, size]}. */
  public static Tensor pixelValues(List<BufferedImage> images, int size) {
    int plane = size * size;
    float[] data = new float[images.size() * 3 * plane];
    for (int b = 0; b < images.size(); b++) {
      int[][] rgb = resizeAndCrop(images.get(b), size);
      for (int c = 0; c < 3; c++) {
        int base = (b * 3 + c) * plane;
        for (int i = 0; i < plane; i++) {
          data[base + i] = (rgb[c][i] / 255f - MEAN[c]) / STD[c];
        }
      }
    }
    return Tensor.floats(data, images.size(), 3, size, size);
  }

  /** The 8-bit RGB planes after resize (short side {@code size}) and centre crop. */
  static int[][] resizeAndCrop(BufferedImage image, int size) {
    int w = image.getWidth();
    int h = image.getHeight();
    // transformers: the short side becomes size, the long side int(size · long / short).
    int outW = w <= h ? size : (int) ((long) size * w / h);
    int outH = w <= h ? (int) ((long) size * h / w) : size;
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    boolean alpha = image.getColorModel().hasAlpha();
    int[][] planes = new int[3][w * h];
    for (int i = 0; i < argb.length; i++) {
      int p = argb[i];
      int a = alpha ? (p >>> 24) & 0xff : 255;
      for (int c = 0; c < 3; c++) {
        int v = (p >> (16 - 8 * c)) & 0xff;
        // Pillow's convert("RGB") drops alpha; an opaque image is unchanged.
        planes[c][i] = alpha && a == 0 ? 0 : v;
      }
    }
    int top = (outH - size) / 2;
    int left = (outW - size) / 2;
    int[][] out = new int[3][size * size];
    for (int c = 0; c < 3; c++) {
      int[] horizontal = w == outW ? planes[c] : pass(planes[c], w, h, outW, true);
      int[] full = h == outH ? horizontal : pass(horizontal, outW, h, outH, false);
      for (int y = 0; y < size; y++) {
        System.arraycopy(full, (y + top) * outW + left, out[c], y * size, size);
      }
    }
    return out;
  }

  /** One Pillow resampling pass along x ({@code horizontal}) or y, 8-bit in and out. */
  private static int[] pass(int[] in, int w, int h, int outSize, boolean horizontal) {
    int inSize = horizontal ? w : h;
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = 2.0 * filterScale;
    int taps = (int) Math.ceil(support) * 2 + 1;
    int[] bounds = new int[outSize * 2];
    int[] kk = new int[outSize * taps];
    for (int o = 0; o < outSize; o++) {
      double center = (o + 0.5) * scale;
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
      double[] k = new double[xmax];
      double ww = 0;
      for (int x = 0; x < xmax; x++) {
        k[x] = bicubic((x + xmin - center + 0.5) / filterScale);
        ww += k[x];
      }
      for (int x = 0; x < xmax; x++) {
        double v = ww != 0 ? k[x] / ww : k[x];
        kk[o * taps + x] =
            (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
      }
      bounds[2 * o] = xmin;
      bounds[2 * o + 1] = xmax;
    }
    int outW = horizontal ? outSize : w;
    int outH = horizontal ? h : outSize;
    int[] out = new int[outW * outH];
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        int o = horizontal ? x : y;
        int xmin = bounds[2 * o];
        int n = bounds[2 * o + 1];
        long ss = 1L << (PRECISION_BITS - 1);
        for (int t = 0; t < n; t++) {
          int src = horizontal ? in[y * w + xmin + t] : in[(xmin + t) * w + x];
          ss += (long) src * kk[o * taps + t];
        }
        long v = ss >> PRECISION_BITS;
        out[y * outW + x] = (int) Math.max(0, Math.min(255, v));
      }
    }
    return out;
  }

  /** Pillow's bicubic kernel (a = −0.5). */
  private static double bicubic(double x) {
    final double a = -0.5;
    x = Math.abs(x);
    if (x < 1.0) {
      return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    }
    if (x < 2.0) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0.0;
  }
}

package atelier.upscale;

import java.awt.image.BufferedImage;
import java.util.Objects;
import java.util.Optional;

/**
 * An image as float planes, {@code [channels][height][width]} row-major, values in [0, 1]: the form
 * upscalers read and write. Immutable by convention (the array is not copied).
 *
 * @param channels 1 (alpha or grey) or 3 (RGB)
 */
public record PlanarImage(int channels, int width, int height, float[] data) {
  public PlanarImage {
    Objects.requireNonNull(data, "data");
    if (channels < 1 || width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "planar image: expected positive channels and sides, found "
              + channels
              + "×"
              + width
              + "×"
              + height);
    }
    if ((long) channels * width * height != data.length) {
      throw new IllegalArgumentException(
          "planar image: expected "
              + (long) channels * width * height
              + " values, found "
              + data.length);
    }
  }

  /** The RGB planes of an image (alpha ignored: colours are not premultiplied). */
  public static PlanarImage rgbOf(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = w * h;
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    float[] d = new float[3 * plane];
    for (int i = 0; i < plane; i++) {
      int p = argb[i];
      d[i] = ((p >> 16) & 0xff) / 255f;
      d[plane + i] = ((p >> 8) & 0xff) / 255f;
      d[2 * plane + i] = (p & 0xff) / 255f;
    }
    return new PlanarImage(3, w, h, d);
  }

  /** The alpha plane of an image, or empty when it has none or every pixel is opaque. */
  public static Optional<PlanarImage> alphaOf(BufferedImage image) {
    if (!image.getColorModel().hasAlpha()) {
      return Optional.empty();
    }
    int w = image.getWidth();
    int h = image.getHeight();
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    float[] a = new float[w * h];
    boolean opaque = true;
    for (int i = 0; i < a.length; i++) {
      int v = argb[i] >>> 24;
      opaque &= v == 255;
      a[i] = v / 255f;
    }
    return opaque ? Optional.empty() : Optional.of(new PlanarImage(1, w, h, a));
  }

  /** One plane repeated into three (a grey image, to run alpha through an RGB model). */
  public PlanarImage toRgb() {
    if (channels != 1) {
      throw new IllegalStateException("toRgb: expected 1 channel, found " + channels);
    }
    float[] d = new float[3 * data.length];
    for (int c = 0; c < 3; c++) {
      System.arraycopy(data, 0, d, c * data.length, data.length);
    }
    return new PlanarImage(3, width, height, d);
  }

  /** The mean of the three planes (back from {@link #toRgb()} after upscaling). */
  public PlanarImage toGrey() {
    if (channels != 3) {
      throw new IllegalStateException("toGrey: expected 3 channels, found " + channels);
    }
    int plane = width * height;
    float[] d = new float[plane];
    for (int i = 0; i < plane; i++) {
      d[i] = (data[i] + data[plane + i] + data[2 * plane + i]) / 3f;
    }
    return new PlanarImage(1, width, height, d);
  }

  /**
   * The region {@code [x, x + w) × [y, y + h)}; parts outside the image repeat its edge pixels (so
   * a tile can be padded to the size a model needs).
   */
  public PlanarImage region(int x, int y, int w, int h) {
    float[] d = new float[channels * w * h];
    for (int c = 0; c < channels; c++) {
      int src = c * width * height;
      int dst = c * w * h;
      for (int j = 0; j < h; j++) {
        int sy = Math.min(Math.max(y + j, 0), height - 1);
        for (int i = 0; i < w; i++) {
          int sx = Math.min(Math.max(x + i, 0), width - 1);
          d[dst + j * w + i] = data[src + sy * width + sx];
        }
      }
    }
    return new PlanarImage(channels, w, h, d);
  }

  /** 8-bit value of a float pixel: {@code round(clamp(v, 0, 1) · 255)}. */
  public static int toByte(float v) {
    float c = v < 0f ? 0f : Math.min(v, 1f);
    return Math.round(c * 255f);
  }

  /**
   * An 8-bit image from RGB planes and an optional alpha plane of the same size (ARGB when alpha is
   * given, else RGB). Values are clamped to [0, 1].
   */
  public static BufferedImage toImage(PlanarImage rgb, PlanarImage alpha) {
    if (rgb.channels != 3) {
      throw new IllegalArgumentException("toImage: expected RGB planes, found " + rgb.channels);
    }
    if (alpha != null
        && (alpha.channels != 1 || alpha.width != rgb.width || alpha.height != rgb.height)) {
      throw new IllegalArgumentException(
          "toImage: expected a 1-channel alpha of the RGB's size, found " + alpha);
    }
    int plane = rgb.width * rgb.height;
    int[] argb = new int[plane];
    float[] d = rgb.data;
    for (int i = 0; i < plane; i++) {
      int a = alpha == null ? 255 : toByte(alpha.data[i]);
      argb[i] =
          (a << 24) | (toByte(d[i]) << 16) | (toByte(d[plane + i]) << 8) | toByte(d[2 * plane + i]);
    }
    BufferedImage img =
        new BufferedImage(
            rgb.width,
            rgb.height,
            alpha == null ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_INT_ARGB);
    img.setRGB(0, 0, rgb.width, rgb.height, argb, 0, rgb.width);
    return img;
  }

  /** Planar {@code [3][n]} to interleaved {@code [n][3]}. */
  static float[] interleave(float[] chw, int plane) {
    float[] out = new float[chw.length];
    for (int i = 0; i < plane; i++) {
      out[3 * i] = chw[i];
      out[3 * i + 1] = chw[plane + i];
      out[3 * i + 2] = chw[2 * plane + i];
    }
    return out;
  }

  /** Interleaved {@code [n][3]} to planar {@code [3][n]}. */
  static float[] deinterleave(float[] hwc, int plane) {
    float[] out = new float[hwc.length];
    for (int i = 0; i < plane; i++) {
      out[i] = hwc[3 * i];
      out[plane + i] = hwc[3 * i + 1];
      out[2 * plane + i] = hwc[3 * i + 2];
    }
    return out;
  }

  @Override
  public String toString() {
    return "PlanarImage[" + channels + "×" + width + "×" + height + "]";
  }
}

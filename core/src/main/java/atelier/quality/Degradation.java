package atelier.quality;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The ways failed generations look, at graded severity (0 = untouched, 1 = ruined), for building
 * labelled evaluation sets from good images. Each returns a new opaque RGB image. Stateless;
 * randomness comes only from the caller's {@link Random}.
 */
public enum Degradation {
  /** Gaussian blur, σ up to 6 px at a 512-px short side (scaled with the image). */
  BLUR,
  /** Additive Gaussian noise, σ 3 to 33 levels, per channel. */
  NOISE,
  /** Darkening, down to 15% of the original level. */
  UNDEREXPOSE,
  /** Brightening with a lift, blowing highlights. */
  OVEREXPOSE,
  /** Chroma pushed away from grey, up to 4×. */
  OVERSATURATE,
  /** Contrast squeezed toward the mean with a haze, down to 15%. */
  WASHOUT,
  /** Posterisation, down to 3 levels per channel. */
  BANDING,
  /** JPEG compression, quality 60 down to 5. */
  JPEG,
  /** A black frame with faint noise (severity ignored). */
  BLACK;

  /** The lower-case name. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The degradation named {@code name}.
   *
   * @throws BadRequestException naming the valid ones
   */
  public static Degradation lookup(String name) {
    for (Degradation d : values()) {
      if (d.id().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return d;
      }
    }
    throw new BadRequestException(
        "degradation: expected one of "
            + Arrays.stream(values()).map(Degradation::id).collect(Collectors.joining(", "))
            + ", found '"
            + name
            + "'");
  }

  /** {@code src} degraded at {@code severity} in 0..1. */
  public BufferedImage apply(BufferedImage src, double severity, Random rng) {
    if (!(severity >= 0 && severity <= 1)) {
      throw new IllegalArgumentException("severity: expected 0..1, found " + severity);
    }
    double s = severity;
    Pixels p = Pixels.of(src);
    int w = p.width;
    int h = p.height;
    float[][] c = {p.r.clone(), p.g.clone(), p.b.clone()};
    switch (this) {
      case BLUR -> {
        double sigma = Math.max(0.3, 6 * s * Math.min(w, h) / 512.0);
        for (float[] plane : c) {
          gaussian(plane, w, h, sigma);
        }
      }
      case NOISE -> {
        double sigma = 3 + 30 * s;
        for (float[] plane : c) {
          for (int i = 0; i < plane.length; i++) {
            plane[i] += (float) (rng.nextGaussian() * sigma);
          }
        }
      }
      case UNDEREXPOSE -> map(c, v -> v * (1 - 0.85 * s));
      case OVEREXPOSE -> map(c, v -> v * (1 + 2.0 * s) + 70 * s);
      case OVERSATURATE -> {
        for (int i = 0; i < w * h; i++) {
          float grey = p.y[i];
          for (float[] plane : c) {
            plane[i] = (float) (grey + (plane[i] - grey) * (1 + 3 * s));
          }
        }
      }
      case WASHOUT -> {
        double mean = TechnicalMetrics.meanStd(p.y)[0];
        double k = 1 - 0.85 * s;
        double haze = 90 * s;
        map(c, v -> (mean + (v - mean) * k) * (1 - haze / 255) + haze);
      }
      case BANDING -> {
        int levels = (int) Math.max(3, Math.round(3 + 45 * Math.pow(1 - s, 1.5)));
        double step = 255.0 / (levels - 1);
        map(c, v -> Math.round(Math.max(0, Math.min(255, v)) / step) * step);
      }
      case JPEG -> {
        return jpeg(toImage(c, w, h), (float) ((60 - 55 * s) / 100));
      }
      case BLACK -> {
        for (float[] plane : c) {
          for (int i = 0; i < plane.length; i++) {
            plane[i] = (float) Math.abs(rng.nextGaussian());
          }
        }
      }
    }
    return toImage(c, w, h);
  }

  private interface LevelMap {
    double at(double v);
  }

  private static void map(float[][] planes, LevelMap f) {
    for (float[] plane : planes) {
      for (int i = 0; i < plane.length; i++) {
        plane[i] = (float) f.at(plane[i]);
      }
    }
  }

  private static BufferedImage toImage(float[][] c, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] rgb = new int[w * h];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (clamp(c[0][i]) << 16) | (clamp(c[1][i]) << 8) | clamp(c[2][i]);
    }
    out.setRGB(0, 0, w, h, rgb, 0, w);
    return out;
  }

  private static int clamp(float v) {
    return Math.max(0, Math.min(255, Math.round(v)));
  }

  static void gaussian(float[] plane, int w, int h, double sigma) {
    int r = (int) Math.ceil(3 * sigma);
    double[] k = new double[2 * r + 1];
    double sum = 0;
    for (int i = -r; i <= r; i++) {
      k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
      sum += k[i + r];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    float[] tmp = new float[plane.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double acc = 0;
        for (int i = -r; i <= r; i++) {
          acc += k[i + r] * plane[y * w + Math.max(0, Math.min(w - 1, x + i))];
        }
        tmp[y * w + x] = (float) acc;
      }
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double acc = 0;
        for (int i = -r; i <= r; i++) {
          acc += k[i + r] * tmp[Math.max(0, Math.min(h - 1, y + i)) * w + x];
        }
        plane[y * w + x] = (float) acc;
      }
    }
  }

  static BufferedImage jpeg(BufferedImage img, float quality) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(Math.max(0.01f, quality));
        writer.write(null, new IIOImage(img, null, null), param);
      }
      return ImageIO.read(
          new javax.imageio.stream.MemoryCacheImageInputStream(
              new ByteArrayInputStream(bytes.toByteArray())));
    } catch (IOException e) {
      throw new UncheckedIOException("jpeg: encoding in memory failed: " + e.getMessage(), e);
    } finally {
      writer.dispose();
    }
  }
}

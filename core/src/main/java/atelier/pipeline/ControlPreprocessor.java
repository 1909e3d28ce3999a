package atelier.pipeline;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import java.util.Locale;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Turns a picture into a control image: {@code canny[:LOW:HIGH]} (OpenCV's Canny edges, white on
 * black, thresholds 100 and 200 by default as diffusers' and A1111's canny examples use), {@code
 * invert} (a negative, e.g. black lines on white to white on black), and {@code mono[:T]} (text or
 * a logo as a high-contrast greyscale image for QR-monster-style ControlNets: luma stretched to the
 * full range, then black below T and white from T, 128 by default). Alpha is composited over white
 * first, as everywhere in Atelier.
 *
 * @param name canny, invert or mono
 * @param low canny's lower threshold, or mono's threshold
 * @param high canny's upper threshold
 */
public record ControlPreprocessor(String name, int low, int high) {
  /** The names, for messages. */
  public static final String NAMES = "canny[:LOW:HIGH], invert, mono[:THRESHOLD]";

  /**
   * Parses {@code canny}, {@code canny:50:150}, {@code invert}, {@code mono}, {@code mono:100}.
   *
   * @throws BadRequestException naming the value, what was expected and what was found
   */
  public static ControlPreprocessor parse(String text) {
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split(":", -1);
    try {
      switch (parts[0]) {
        case "canny":
          if (parts.length == 1) {
            return new ControlPreprocessor("canny", 100, 200);
          }
          if (parts.length == 3) {
            int lo = Integer.parseInt(parts[1]);
            int hi = Integer.parseInt(parts[2]);
            if (lo >= 0 && lo < hi && hi <= 1000) {
              return new ControlPreprocessor("canny", lo, hi);
            }
          }
          break;
        case "invert":
          if (parts.length == 1) {
            return new ControlPreprocessor("invert", 0, 0);
          }
          break;
        case "mono":
          if (parts.length == 1) {
            return new ControlPreprocessor("mono", 128, 0);
          }
          if (parts.length == 2) {
            int t = Integer.parseInt(parts[1]);
            if (t >= 1 && t <= 255) {
              return new ControlPreprocessor("mono", t, 0);
            }
          }
          break;
        default:
          break;
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new BadRequestException(
        "control preprocessor: expected "
            + NAMES
            + " (canny: 0 ≤ LOW < HIGH ≤ 1000; mono: 1 to 255), found '"
            + text
            + "'");
  }

  /** How it is written as an option, read back by {@link #parse}: {@code canny:100:200}. */
  public String spec() {
    return switch (name) {
      case "canny" -> "canny:" + low + ":" + high;
      case "mono" -> "mono:" + low;
      default -> name;
    };
  }

  /** How the record names it, e.g. {@code canny 100:200}. */
  public String label() {
    return switch (name) {
      case "canny" -> "canny " + low + ":" + high;
      case "mono" -> "mono " + low;
      default -> name;
    };
  }

  /** The control image (8-bit RGB, the input's size). */
  public BufferedImage apply(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    float[][] rgb = atelier.image.ImageTensors.rgbPlanes(image);
    int n = w * h;
    int[] out = new int[n];
    switch (name) {
      case "invert" -> {
        for (int i = 0; i < n; i++) {
          out[i] =
              rgb(
                  255 - Math.round(rgb[0][i]),
                  255 - Math.round(rgb[1][i]),
                  255 - Math.round(rgb[2][i]));
        }
      }
      case "mono" -> {
        float[] luma = luma(rgb, n);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : luma) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        float range = Math.max(1e-3f, max - min);
        for (int i = 0; i < n; i++) {
          int v = (luma[i] - min) / range * 255f >= low ? 255 : 0;
          out[i] = rgb(v, v, v);
        }
      }
      case "canny" -> {
        byte[] grey = new byte[n];
        float[] luma = luma(rgb, n);
        for (int i = 0; i < n; i++) {
          grey[i] = (byte) Math.round(luma[i]);
        }
        byte[] edges = new byte[n];
        Natives.check();
        try (Mat src = new Mat(h, w, opencv_core.CV_8UC1);
            Mat dst = new Mat()) {
          src.data().put(grey);
          opencv_imgproc.Canny(src, dst, low, high);
          dst.data().get(edges);
        }
        for (int i = 0; i < n; i++) {
          int v = edges[i] & 0xff;
          out[i] = rgb(v, v, v);
        }
      }
      default -> throw new IllegalStateException("unknown preprocessor " + name);
    }
    BufferedImage result = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    result.setRGB(0, 0, w, h, out, 0, w);
    return result;
  }

  private static float[] luma(float[][] rgb, int n) {
    float[] l = new float[n];
    for (int i = 0; i < n; i++) {
      // ITU-R BT.601, as OpenCV's and Pillow's RGB to grey
      l[i] = 0.299f * rgb[0][i] + 0.587f * rgb[1][i] + 0.114f * rgb[2][i];
    }
    return l;
  }

  private static int rgb(int r, int g, int b) {
    return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  private static final class Natives {
    static final String PROBLEM = load();

    private static String load() {
      try {
        Loader.load(opencv_imgproc.class);
        return null;
      } catch (Throwable t) {
        // UnsatisfiedLinkError or NoClassDefFoundError: natives absent for this platform.
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }

    static void check() {
      if (PROBLEM != null) {
        throw new BadRequestException(
            "control preprocessor canny: needs the OpenCV natives, which could not be loaded ("
                + PROBLEM
                + "); use another preprocessor or build the CLI with the OpenCV natives");
      }
    }
  }
}

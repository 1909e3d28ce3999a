package atelier.model;

import java.util.Locale;

/** Byte counts for people, in decimal units as Hugging Face shows them (1 GB = 10^9 bytes). */
public final class Sizes {
  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB"};

  private Sizes() {}

  /** E.g. 588 B, 1.06 MB, 3.44 GB; negative counts read "?". */
  public static String human(long bytes) {
    if (bytes < 0) {
      return "?";
    }
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < UNITS.length - 1) {
      v /= 1000;
      u++;
    }
    if (u == 0) {
      return bytes + " B";
    }
    return String.format(
        Locale.ROOT, v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, UNITS[u]);
  }
}

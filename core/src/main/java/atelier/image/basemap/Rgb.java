package atelier.image.basemap;

import atelier.BadRequestException;
import java.util.Locale;
import java.util.Map;

/**
 * An 8-bit sRGB colour with alpha, as basemap parameters name it: {@code #rrggbb}, {@code
 * #rrggbbaa}, {@code #rgb}, six hex digits without {@code #}, or a few names (white, black, grey,
 * red, green, blue, transparent).
 */
public record Rgb(int r, int g, int b, int a) {
  /** Opaque white. */
  public static final Rgb WHITE = new Rgb(255, 255, 255, 255);

  /** Opaque black. */
  public static final Rgb BLACK = new Rgb(0, 0, 0, 255);

  private static final Map<String, Rgb> NAMES =
      Map.of(
          "white", WHITE,
          "black", BLACK,
          "grey", new Rgb(128, 128, 128, 255),
          "gray", new Rgb(128, 128, 128, 255),
          "red", new Rgb(255, 0, 0, 255),
          "green", new Rgb(0, 255, 0, 255),
          "blue", new Rgb(0, 0, 255, 255),
          "transparent", new Rgb(0, 0, 0, 0));

  public Rgb {
    for (int v : new int[] {r, g, b, a}) {
      if (v < 0 || v > 255) {
        throw new BadRequestException(
            "colour: expected channels from 0 to 255, found " + r + "," + g + "," + b + "," + a);
      }
    }
  }

  /** An opaque colour from a packed {@code 0xRRGGBB} value. */
  public static Rgb of(int rgb) {
    return new Rgb((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff, 255);
  }

  /**
   * Parses a colour.
   *
   * @throws BadRequestException naming what was expected when the text is none of the forms
   */
  public static Rgb parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Rgb named = NAMES.get(t);
    if (named != null) {
      return named;
    }
    String hex = t.startsWith("#") ? t.substring(1) : t;
    if (hex.matches("[0-9a-f]{3}")) {
      hex =
          ""
              + hex.charAt(0)
              + hex.charAt(0)
              + hex.charAt(1)
              + hex.charAt(1)
              + hex.charAt(2)
              + hex.charAt(2);
    }
    if (hex.matches("[0-9a-f]{6}([0-9a-f]{2})?")) {
      long v = Long.parseLong(hex, 16);
      return hex.length() == 6
          ? of((int) v)
          : new Rgb(
              (int) (v >> 24) & 0xff,
              (int) (v >> 16) & 0xff,
              (int) (v >> 8) & 0xff,
              (int) v & 0xff);
    }
    throw new BadRequestException(
        "colour: expected #rrggbb, #rrggbbaa, #rgb or one of "
            + String.join(", ", new java.util.TreeSet<>(NAMES.keySet()))
            + ", found '"
            + text
            + "'");
  }

  /** Packed ARGB, as {@link java.awt.image.BufferedImage#setRGB} takes it. */
  public int argb() {
    return a << 24 | r << 16 | g << 8 | b;
  }

  /** {@code #rrggbb}, or {@code #rrggbbaa} when not opaque. */
  @Override
  public String toString() {
    String s = String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    return a == 255 ? s : s + String.format(Locale.ROOT, "%02x", a);
  }
}

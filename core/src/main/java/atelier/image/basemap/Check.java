package atelier.image.basemap;

import atelier.BadRequestException;

/** Parameter checks for the ops' compact constructors, with the project's message shape. */
final class Check {
  private Check() {}

  static double range(String op, String key, double v, double min, double max) {
    if (!(v >= min && v <= max)) {
      throw new BadRequestException(
          "basemap "
              + op
              + ": "
              + key
              + ": expected "
              + num(min)
              + " to "
              + num(max)
              + ", found "
              + num(v));
    }
    return v;
  }

  static int range(String op, String key, int v, int min, int max) {
    if (v < min || v > max) {
      throw new BadRequestException(
          "basemap " + op + ": " + key + ": expected " + min + " to " + max + ", found " + v);
    }
    return v;
  }

  static double positive(String op, String key, double v, double max) {
    if (!(v > 0 && v <= max)) {
      throw new BadRequestException(
          "basemap "
              + op
              + ": "
              + key
              + ": expected more than 0 and at most "
              + num(max)
              + ", found "
              + num(v));
    }
    return v;
  }

  static <T> T notNull(String op, String key, T v) {
    if (v == null) {
      throw new BadRequestException(
          "basemap " + op + ": " + key + ": expected a value, found none");
    }
    return v;
  }

  static String num(double v) {
    return OpSyntax.value(v);
  }
}

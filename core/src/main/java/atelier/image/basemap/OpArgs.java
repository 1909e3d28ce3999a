package atelier.image.basemap;

import atelier.BadRequestException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The arguments of one op as text, read with typed getters that name the op and the parameter in
 * their errors. It remembers which keys an op read, so {@link #rejectUnknown()} can list the ones
 * that apply. Not thread-safe; one per op being built.
 */
public final class OpArgs {
  private final String op;
  private final Map<String, String> values;
  private final Set<String> read = new LinkedHashSet<>();

  /** Arguments of {@code op} by parameter name (values as written). */
  public OpArgs(String op, Map<String, String> values) {
    this.op = op;
    this.values = new LinkedHashMap<>(values);
  }

  /** The op's name, for messages. */
  public String op() {
    return op;
  }

  /** Whether the parameter was given. */
  public boolean has(String key) {
    read.add(key);
    return values.containsKey(key);
  }

  /** A text parameter. */
  public String string(String key, String def) {
    read.add(key);
    return values.getOrDefault(key, def);
  }

  /** A number parameter (finite). */
  public double number(String key, double def) {
    Double v = optNumber(key);
    return v == null ? def : v;
  }

  /** A number parameter, or null when absent. */
  public Double optNumber(String key) {
    String v = string(key, null);
    if (v == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(v.strip());
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(key, "a number", v);
  }

  /** A whole-number parameter. */
  public int integer(String key, int def) {
    String v = string(key, null);
    if (v == null) {
      return def;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw bad(key, "a whole number", v);
    }
  }

  /** A seed: a whole number from 0 to 2^32-1 (as the pipeline's seeds). */
  public long seed(String key, long def) {
    String v = string(key, null);
    if (v == null) {
      return def;
    }
    try {
      long s = Long.parseLong(v.strip());
      if (s >= 0 && s <= 0xFFFF_FFFFL) {
        return s;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(key, "a seed from 0 to 4294967295", v);
  }

  /** A colour parameter ({@link Rgb#parse}). */
  public Rgb color(String key, Rgb def) {
    String v = string(key, null);
    if (v == null) {
      return def;
    }
    try {
      return Rgb.parse(v);
    } catch (BadRequestException e) {
      throw new BadRequestException("basemap " + op + ": " + key + ": " + e.getMessage(), e);
    }
  }

  /** A yes/no parameter: true/false, yes/no, on/off, 1/0. */
  public boolean bool(String key, boolean def) {
    String v = string(key, null);
    if (v == null) {
      return def;
    }
    return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw bad(key, "true or false", v);
    };
  }

  /** A choice parsed by an enum's {@code lookup} (whose error lists the valid names). */
  public <E> E choice(String key, E def, Function<String, E> lookup) {
    String v = string(key, null);
    if (v == null) {
      return def;
    }
    try {
      return lookup.apply(v);
    } catch (BadRequestException e) {
      throw new BadRequestException("basemap " + op + ": " + key + ": " + e.getMessage(), e);
    }
  }

  /**
   * Fails when an argument was given that the op did not read.
   *
   * @throws BadRequestException listing the parameters the op takes
   */
  public void rejectUnknown() {
    for (String k : values.keySet()) {
      if (!read.contains(k)) {
        throw new BadRequestException(
            "basemap "
                + op
                + ": expected parameters "
                + String.join(", ", read)
                + ", found '"
                + k
                + "'");
      }
    }
  }

  private BadRequestException bad(String key, String expected, String found) {
    return new BadRequestException(
        "basemap " + op + ": " + key + ": expected " + expected + ", found '" + found + "'");
  }
}

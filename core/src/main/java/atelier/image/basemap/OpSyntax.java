package atelier.image.basemap;

import atelier.BadRequestException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text form of one basemap operation: {@code name[:arg,arg,…]}, where each arg is {@code
 * key=value} or a bare value (taken by the op's positional parameters in order, e.g. {@code
 * noise:perlin} is {@code noise:type=perlin}). Values containing commas, equals signs, quotes or
 * outer spaces are quoted with {@code "…"} or {@code '…'} (inside, a backslash escapes the quote or
 * a backslash; other backslashes stay, so {@code \n} reaches the text op as written). Stateless.
 */
public final class OpSyntax {
  private OpSyntax() {}

  /** One op as written: its name, named arguments in order, and bare values in order. */
  public record Parsed(String name, Map<String, String> named, List<String> positional) {}

  /**
   * Splits an op's text into name and arguments (no knowledge of the op's parameters).
   *
   * @throws BadRequestException on an empty name, an unterminated quote or a repeated key
   */
  public static Parsed parse(String spec) {
    String s = spec.strip();
    int colon = s.indexOf(':');
    String name = (colon < 0 ? s : s.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
    if (!name.matches("[a-z][a-z0-9-]*")) {
      throw new BadRequestException(
          "basemap op '" + spec + "': expected NAME[:key=value,…], found the name '" + name + "'");
    }
    Map<String, String> named = new LinkedHashMap<>();
    List<String> positional = new ArrayList<>();
    if (colon >= 0) {
      for (String[] item : items(spec, s.substring(colon + 1))) {
        if (item[0] == null) {
          positional.add(item[1]);
        } else if (named.put(item[0], item[1]) != null) {
          throw new BadRequestException(
              "basemap op '"
                  + spec
                  + "': expected each parameter once, found '"
                  + item[0]
                  + "' twice");
        }
      }
    }
    return new Parsed(name, named, positional);
  }

  /** Items as {key or null, value}. */
  private static List<String[]> items(String spec, String args) {
    List<String[]> out = new ArrayList<>();
    int i = 0;
    int n = args.length();
    if (args.isBlank()) {
      return out;
    }
    while (i <= n) {
      StringBuilder key = null;
      StringBuilder cur = new StringBuilder();
      boolean quoted = false;
      while (i < n && Character.isWhitespace(args.charAt(i))) {
        i++;
      }
      while (i < n && args.charAt(i) != ',') {
        char c = args.charAt(i);
        if ((c == '"' || c == '\'') && cur.toString().isBlank()) {
          int end = i + 1;
          StringBuilder q = new StringBuilder();
          while (end < n && args.charAt(end) != c) {
            if (args.charAt(end) == '\\'
                && end + 1 < n
                && (args.charAt(end + 1) == c || args.charAt(end + 1) == '\\')) {
              end++;
            }
            q.append(args.charAt(end++));
          }
          if (end >= n) {
            throw new BadRequestException(
                "basemap op '" + spec + "': expected a closing " + c + ", found the end");
          }
          cur.setLength(0);
          cur.append(q);
          quoted = true;
          i = end + 1;
          while (i < n && Character.isWhitespace(args.charAt(i))) {
            i++;
          }
          if (i < n && args.charAt(i) != ',') {
            throw new BadRequestException(
                "basemap op '"
                    + spec
                    + "': expected ',' after a quoted value, found '"
                    + args.charAt(i)
                    + "'");
          }
          continue;
        }
        if (c == '=' && key == null && !quoted) {
          key = new StringBuilder(cur.toString().strip());
          cur.setLength(0);
        } else {
          cur.append(c);
        }
        i++;
      }
      String value = quoted ? cur.toString() : cur.toString().strip();
      if (key != null) {
        String k = key.toString();
        if (!k.matches("[A-Za-z][A-Za-z0-9_-]*")) {
          throw new BadRequestException(
              "basemap op '" + spec + "': expected a parameter name, found '" + k + "'");
        }
        out.add(new String[] {k, value});
      } else if (!value.isEmpty() || quoted) {
        out.add(new String[] {null, value});
      }
      i++;
    }
    return out;
  }

  /** The canonical text of an op: every parameter named, numbers in their shortest form. */
  public static String format(String name, Map<String, Object> params) {
    StringBuilder sb = new StringBuilder(name);
    String sep = ":";
    for (Map.Entry<String, Object> e : params.entrySet()) {
      sb.append(sep).append(e.getKey()).append('=').append(quote(value(e.getValue())));
      sep = ",";
    }
    return sb.toString();
  }

  /** A parameter value as text: numbers without trailing zeros, enums in lower case. */
  public static String value(Object v) {
    if (v instanceof Double d) {
      return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
    if (v instanceof Float f) {
      return value((double) f);
    }
    if (v instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    return String.valueOf(v);
  }

  private static String quote(String v) {
    boolean plain =
        !v.isEmpty() && v.strip().equals(v) && v.chars().noneMatch(c -> ",=\"'\\".indexOf(c) >= 0);
    if (plain) {
      return v;
    }
    return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}

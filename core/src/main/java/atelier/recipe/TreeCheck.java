package atelier.recipe;

import atelier.BadRequestException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a parsed YAML/JSON tree with typed getters that record every problem with its path ({@code
 * recipe.generate.steps: expected a whole number from 1 to 1000, found 'many'}) instead of stopping
 * at the first, so one run shows all of a file's mistakes. Not thread-safe; one per file.
 */
final class TreeCheck {
  private final String what;
  private final List<String> errors = new ArrayList<>();

  TreeCheck(String what) {
    this.what = what;
  }

  void error(String path, String expected, JsonNode found) {
    errors.add(path + ": expected " + expected + ", found " + describe(found));
  }

  void error(String message) {
    errors.add(message);
  }

  boolean ok() {
    return errors.isEmpty();
  }

  List<String> errors() {
    return List.copyOf(errors);
  }

  /** Throws one exception listing every problem, if there were any. */
  void throwIfAny() {
    if (errors.size() == 1) {
      throw new BadRequestException(errors.get(0));
    }
    if (!errors.isEmpty()) {
      throw new BadRequestException(
          what + ": " + errors.size() + " problems:\n  " + String.join("\n  ", errors));
    }
  }

  static String describe(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    if (n.isNull()) {
      return "null";
    }
    if (n.isTextual()) {
      return "'" + n.asText() + "'";
    }
    if (n.isObject()) {
      return "a map";
    }
    if (n.isArray()) {
      return n.isEmpty() ? "an empty list" : "a list";
    }
    return n.asText();
  }

  /** Records keys of {@code obj} that are not allowed. */
  void keys(JsonNode obj, String path, List<String> allowed) {
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        errors.add(
            path
                + "."
                + k
                + ": expected a key among "
                + String.join(", ", allowed)
                + ", found '"
                + k
                + "'");
      }
    }
  }

  /** A map child, or null (recorded when required or not a map). */
  JsonNode object(JsonNode parent, String key, String path, boolean required) {
    JsonNode v = parent.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        error(path + "." + key, "a map", null);
      }
      return null;
    }
    if (!v.isObject()) {
      error(path + "." + key, "a map", v);
      return null;
    }
    return v;
  }

  /** A text value (numbers are accepted as their text), or {@code def}. */
  String string(JsonNode parent, String key, String path, boolean required, String def) {
    JsonNode v = parent.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        error(path + "." + key, "text", null);
      }
      return def;
    }
    if (!v.isValueNode()) {
      error(path + "." + key, "text", v);
      return def;
    }
    return v.asText();
  }

  Integer integer(JsonNode parent, String key, String path, int min, int max) {
    JsonNode v = parent.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
      error(path + "." + key, "a whole number from " + min + " to " + max, v);
      return null;
    }
    return v.asInt();
  }

  Long longValue(JsonNode parent, String key, String path, long min, long max) {
    JsonNode v = parent.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
      error(path + "." + key, "a whole number from " + min + " to " + max, v);
      return null;
    }
    return v.asLong();
  }

  Double number(JsonNode parent, String key, String path, double min, double max) {
    JsonNode v = parent.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
      error(
          path + "." + key,
          "a number from "
              + atelier.image.basemap.OpSyntax.value(min)
              + " to "
              + atelier.image.basemap.OpSyntax.value(max),
          v);
      return null;
    }
    return v.asDouble();
  }

  /**
   * A value read by an enum's {@code lookup}; its "expected one of …" message is kept, with the
   * path in front.
   */
  <T> T choice(JsonNode parent, String key, String path, Function<String, T> lookup, T def) {
    String s = string(parent, key, path, false, null);
    if (s == null) {
      return def;
    }
    try {
      return lookup.apply(s);
    } catch (BadRequestException e) {
      String m = e.getMessage();
      int at = m.indexOf("expected");
      errors.add(path + "." + key + ": " + (at >= 0 ? m.substring(at) : m));
      return def;
    }
  }

  /** A list of texts, or null. */
  List<String> strings(JsonNode parent, String key, String path) {
    JsonNode v = parent.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      error(path + "." + key, "a list of texts", v);
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isValueNode() || v.get(i).isNull()) {
        error(path + "." + key + "[" + i + "]", "text", v.get(i));
      } else {
        out.add(v.get(i).asText());
      }
    }
    return out;
  }
}

package atelier.recipe;

import atelier.BadRequestException;
import atelier.text.library.Category;
import atelier.text.library.PromptLibrary;
import atelier.text.library.PromptTemplate;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/** A recipe's parameter values: defaults, {@code --set}, {@code --text} and {@code --input}. */
final class RecipeParams {
  private RecipeParams() {}

  /** Parameter values: defaults, then inputs; checks names and required values. */
  static Map<String, String> resolve(Recipe r, RecipeInputs in, PromptTemplate t) {
    Map<String, String> out = new LinkedHashMap<>();
    r.params().forEach((k, v) -> out.put(k, v.defaultValue()));
    Set<String> slots = slotNames(t);
    slots.addAll(out.keySet());
    if (r.series() != null) {
      slots.add(r.series().param());
    }
    for (Map.Entry<String, String> e : in.params().entrySet()) {
      if (!slots.contains(e.getKey())) {
        throw new BadRequestException(
            "recipe "
                + r.name()
                + ": --set "
                + e.getKey()
                + ": expected a parameter ("
                + String.join(", ", slots)
                + ") or a recipe path such as generate.steps, found '"
                + e.getKey()
                + "'");
      }
      out.put(e.getKey(), e.getValue());
    }
    if (in.text() != null) {
      if (r.input() != Recipe.Input.TEXT) {
        throw new BadRequestException(
            "recipe "
                + r.name()
                + ": --text: expected no text (input: "
                + r.input().name().toLowerCase(Locale.ROOT)
                + "), found '"
                + in.text()
                + "'");
      }
      out.put("text", in.text());
    }
    if (r.input() == Recipe.Input.TEXT && (out.get("text") == null || out.get("text").isBlank())) {
      throw new BadRequestException(
          "recipe " + r.name() + ": expected --text TEXT (input: text), found none");
    }
    boolean wantsFile = r.input() == Recipe.Input.IMAGE || r.input() == Recipe.Input.LOGO;
    if (wantsFile && in.input() == null) {
      throw new BadRequestException(
          "recipe "
              + r.name()
              + ": expected --input "
              + (r.input() == Recipe.Input.LOGO ? "LOGO.png" : "IMAGE")
              + " (input: "
              + r.input().name().toLowerCase(Locale.ROOT)
              + "), found none");
    }
    if (!wantsFile && !r.optionalPicture() && in.input() != null) {
      throw new BadRequestException(
          "recipe "
              + r.name()
              + ": --input: expected no input file (input: "
              + r.input().name().toLowerCase(Locale.ROOT)
              + "), found "
              + in.input());
    }
    if (in.input() != null) {
      out.put("input", in.input().toString());
    }
    for (Map.Entry<String, String> e : out.entrySet()) {
      boolean filledBySeries = r.series() != null && r.series().param().equals(e.getKey());
      if (e.getValue() == null && !filledBySeries) {
        throw new BadRequestException(
            "recipe "
                + r.name()
                + ": parameter "
                + e.getKey()
                + ": expected a value (--set "
                + e.getKey()
                + "=…), found none");
      }
    }
    return out;
  }

  private static Set<String> slotNames(PromptTemplate t) {
    Set<String> s = new LinkedHashSet<>(t.defaults().keySet());
    for (String text : List.of(t.text(), t.negative())) {
      Matcher m = RecipeReader.PLACEHOLDER.matcher(text);
      while (m.find()) {
        s.add(m.group().substring(1, m.group().length() - 1));
      }
    }
    return s;
  }

  /** Slot values: params with a {@code pick} category become that entry's weighted text. */
  static Map<String, String> slots(PromptLibrary library, Recipe r, Map<String, String> p) {
    Map<String, String> out = new LinkedHashMap<>(p);
    for (Recipe.Param param : r.params().values()) {
      String v = p.get(param.name());
      if (param.pick() != null && v != null) {
        Category c = library.category(param.pick());
        out.put(param.name(), c.find(v).map(e -> e.render()).orElse(v));
      }
    }
    return out;
  }
}

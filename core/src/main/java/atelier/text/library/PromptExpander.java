package atelier.text.library;

import atelier.BadRequestException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands prompt patterns with the library, reproducibly for a seed. The pattern language is the
 * one AI-art communities use (the Dynamic Prompts extension's core):
 *
 * <ul>
 *   <li>{@code {subject}}: a slot, filled from the caller's values, then the template's defaults;
 *   <li>{@code {a|b|c}}: one option at random ({@code {|x}} may add nothing); {@code {2$$a|b|c}}
 *       picks two different options, joined with ", "; groups nest;
 *   <li>{@code __style__}: a random entry of a library category (with its suggested weight as
 *       {@code (text:1.2)}), or the caller's pick for that category; repeats of a category in one
 *       prompt get different entries while any are left;
 *   <li>{@code \{ \} \|} for literal characters. Everything else, including A1111's {@code
 *       (word:1.2)} emphasis, passes through.
 * </ul>
 *
 * Choices draw from {@code java.util.Random} (its algorithm is fixed by the Java specification)
 * seeded with {@link #mix(long) SplitMix64's finaliser} of the seed, left to right, depth first,
 * the positive prompt before the negative, so a seed gives the same prompt on every machine.
 * (Without the mixing, {@code Random}'s first draws for neighbouring seeds are nearly equal, and
 * {@code --count} would repeat itself.) Thread-safe; each call has its own state.
 */
public final class PromptExpander {
  private static final int MAX_DEPTH = 16;
  private static final Pattern SLOT = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
  private static final Pattern MULTI = Pattern.compile("(?s)(\\d+)\\$\\$(.*)");
  private static final Pattern WILDCARD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

  private final PromptLibrary library;

  /** An expander over a library. */
  public PromptExpander(PromptLibrary library) {
    this.library = library;
  }

  /**
   * One random choice made while expanding.
   *
   * @param source what was expanded: {@code __style__}, {@code {subject}} or {@code {a|b}}
   * @param value what it became (for wildcards, the entry's name)
   */
  public record Choice(String source, String value) {}

  /**
   * The result of expanding a prompt.
   *
   * @param text the positive prompt
   * @param negative the negative prompt ("" when the pattern had none)
   * @param seed the seed the choices were drawn with
   * @param choices every choice, in the order made
   */
  public record Expansion(String text, String negative, long seed, List<Choice> choices) {
    public Expansion {
      choices = List.copyOf(choices);
    }
  }

  /**
   * Expands a template with its defaults.
   *
   * @param slots slot values from the caller (override the template's defaults)
   * @param picks fixed entries by category name (an entry name, or any words of one's own)
   */
  public Expansion expand(
      PromptTemplate template, Map<String, String> slots, Map<String, String> picks, long seed) {
    checkPicks(
        "template " + template.name(),
        template.text() + "\n" + template.negative(),
        slots,
        template.defaults(),
        picks);
    Run run = new Run(slots, template.defaults(), picks, seed);
    String text = tidy(run.expand(template.text(), 0));
    String negative = tidy(run.expand(template.negative(), 0));
    return new Expansion(text, negative, seed, run.choices);
  }

  /** Expands a bare pattern (no template defaults, no negative). */
  public Expansion expand(
      String pattern, Map<String, String> slots, Map<String, String> picks, long seed) {
    checkPicks("the pattern", pattern, slots, Map.of(), picks);
    Run run = new Run(slots, Map.of(), picks, seed);
    return new Expansion(tidy(run.expand(pattern, 0)), "", seed, run.choices);
  }

  /**
   * Refuses picks for categories the prompt can never draw (they would be ignored silently), naming
   * the categories it does draw and its slots.
   */
  private void checkPicks(
      String what,
      String text,
      Map<String, String> slots,
      Map<String, String> defaults,
      Map<String, String> picks) {
    if (picks.isEmpty()) {
      return;
    }
    Reach reach = new Reach(slots, defaults);
    reach.scan(text, 0);
    for (String pick : picks.keySet()) {
      String cat = library.findCategory(pick).map(Category::name).orElse(pick);
      if (!reach.categories.contains(cat)) {
        throw new BadRequestException(
            "pick "
                + pick
                + "="
                + picks.get(pick)
                + ": expected a category that "
                + what
                + " draws ("
                + (reach.categories.isEmpty()
                    ? "none"
                    : String.join(
                        ", ", reach.categories.stream().map(c -> "__" + c + "__").toList()))
                + "), found "
                + (library.findCategory(pick).isPresent()
                    ? "__" + cat + "__, which it never draws"
                    : "no category named '" + pick + "'")
                + "; its slots: "
                + (reach.slots.isEmpty()
                    ? "none"
                    : String.join(", ", reach.slots.stream().map(x -> "{" + x + "}").toList()))
                + " (a slot takes --set SLOT=VALUE)");
      }
    }
  }

  /**
   * The categories and slots a pattern can reach through every option, slot value and category
   * entry: what picks can apply to. Reads the pattern the way {@link Run#expand} does, without
   * drawing.
   */
  private final class Reach {
    final Map<String, String> slotValues;
    final Map<String, String> defaults;
    final Set<String> categories = new java.util.LinkedHashSet<>();
    final Set<String> slots = new java.util.LinkedHashSet<>();

    Reach(Map<String, String> slotValues, Map<String, String> defaults) {
      this.slotValues = slotValues;
      this.defaults = defaults;
    }

    /** Whether {@code s} can draw a category in {@code wanted}. */
    boolean draws(String s, Set<String> wanted) {
      scan(s, 0);
      return categories.stream().anyMatch(wanted::contains);
    }

    void scan(String s, int depth) {
      if (depth > MAX_DEPTH) {
        return; // Run.expand reports the loop when it expands
      }
      int n = s.length();
      int i = 0;
      while (i < n) {
        char c = s.charAt(i);
        if (c == '\\') {
          i += 2;
        } else if (c == '{') {
          int end = closingOrEnd(s, i);
          String body = s.substring(i + 1, Math.min(end, n));
          String name = body.strip();
          if (!body.contains("|") && SLOT.matcher(name).matches()) {
            String value = slotValues.containsKey(name) ? slotValues.get(name) : defaults.get(name);
            if (slots.add(name) && value != null) {
              scan(value, depth + 1);
            }
          } else {
            Matcher m = MULTI.matcher(body);
            scan(m.matches() ? m.group(2) : body, depth + 1);
          }
          i = end + 1;
        } else if (s.startsWith("__", i)) {
          int end = s.indexOf("__", i + 2);
          String name = end > i + 2 ? s.substring(i + 2, end) : "";
          if (WILDCARD.matcher(name).matches()) {
            library
                .findCategory(name)
                .ifPresent(
                    cat -> {
                      if (categories.add(cat.name())) {
                        cat.entries().forEach(e -> scan(e.render(), depth + 1));
                      }
                    });
            i = end + 2;
          } else {
            i++;
          }
        } else {
          i++;
        }
      }
    }

    private int closingOrEnd(String s, int open) {
      int level = 0;
      for (int i = open; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\\') {
          i++;
        } else if (c == '{') {
          level++;
        } else if (c == '}' && --level == 0) {
          return i;
        }
      }
      return s.length();
    }
  }

  /** SplitMix64's finaliser (Steele, Lea, Flood 2014): spreads neighbouring seeds apart. */
  static long mix(long seed) {
    long z = seed + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Collapses spaces and the empty list items that empty options leave (", ,"). */
  static String tidy(String s) {
    return s.replaceAll("\\s+", " ")
        .replaceAll("\\s+,", ",")
        .replaceAll(",(\\s*,)+", ",")
        .replaceAll("^[\\s,]+|[\\s,]+$", "");
  }

  /** The state of one expansion. */
  private final class Run {
    final Map<String, String> slots;
    final Map<String, String> defaults;
    final Map<String, String> picks;
    final Random random;
    final List<Choice> choices = new ArrayList<>();
    final Map<String, Set<String>> used = new HashMap<>();

    Run(
        Map<String, String> slots,
        Map<String, String> defaults,
        Map<String, String> picks,
        long seed) {
      this.slots = slots;
      this.defaults = defaults;
      // Picks by the category's own name, so "Style=anime" applies as "style=anime" does.
      Map<String, String> canonical = new HashMap<>();
      picks.forEach(
          (k, v) -> canonical.put(library.findCategory(k).map(Category::name).orElse(k), v));
      this.picks = canonical;
      this.random = new Random(mix(seed));
    }

    String expand(String s, int depth) {
      if (depth > MAX_DEPTH) {
        throw new BadRequestException(
            "prompt: expected slots and wildcards to nest at most "
                + MAX_DEPTH
                + " deep, found deeper (does a slot or entry refer to itself?)");
      }
      StringBuilder out = new StringBuilder();
      int n = s.length();
      int i = 0;
      while (i < n) {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < n && "{}|".indexOf(s.charAt(i + 1)) >= 0) {
          out.append(s.charAt(i + 1));
          i += 2;
        } else if (c == '{') {
          int end = closing(s, i);
          out.append(group(s.substring(i + 1, end), depth));
          i = end + 1;
        } else if (c == '}') {
          throw new BadRequestException(
              "prompt: expected '{' before '}' at position " + i + " of \"" + s + "\"");
        } else if (s.startsWith("__", i) && wildcardEnd(s, i) > 0) {
          int end = wildcardEnd(s, i);
          out.append(wildcard(s.substring(i + 2, end), depth));
          i = end + 2;
        } else {
          out.append(c);
          i++;
        }
      }
      return out.toString();
    }

    private int wildcardEnd(String s, int start) {
      int end = s.indexOf("__", start + 2);
      return end > start + 2 && WILDCARD.matcher(s.substring(start + 2, end)).matches() ? end : -1;
    }

    private int closing(String s, int open) {
      int level = 0;
      for (int i = open; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\\') {
          i++;
        } else if (c == '{') {
          level++;
        } else if (c == '}' && --level == 0) {
          return i;
        }
      }
      throw new BadRequestException(
          "prompt: expected '}' to close the '{' at position " + open + " of \"" + s + "\"");
    }

    private List<String> options(String body) {
      List<String> parts = new ArrayList<>();
      int level = 0;
      int start = 0;
      for (int i = 0; i < body.length(); i++) {
        char c = body.charAt(i);
        if (c == '\\') {
          i++;
        } else if (c == '{') {
          level++;
        } else if (c == '}') {
          level--;
        } else if (c == '|' && level == 0) {
          parts.add(body.substring(start, i));
          start = i + 1;
        }
      }
      parts.add(body.substring(start));
      return parts;
    }

    private String group(String body, int depth) {
      List<String> parts = options(body);
      if (parts.size() == 1) {
        String name = body.strip();
        return SLOT.matcher(name).matches() ? slot(name, depth) : expand(body, depth + 1);
      }
      Matcher m = MULTI.matcher(parts.get(0));
      if (m.matches()) {
        int count = Integer.parseInt(m.group(1));
        List<String> left = new ArrayList<>(parts);
        left.set(0, m.group(2));
        if (count < 1 || count > left.size()) {
          throw new BadRequestException(
              "prompt: {"
                  + body
                  + "}: expected a count from 1 to "
                  + left.size()
                  + ", found "
                  + count);
        }
        List<String> picked = new ArrayList<>();
        for (int k = 0; k < count; k++) {
          picked.add(expand(left.remove(random.nextInt(left.size())), depth + 1).strip());
        }
        String v = String.join(", ", picked);
        choices.add(new Choice("{" + body + "}", v));
        return v;
      }
      List<String> from = parts;
      if (!picks.isEmpty()) {
        // A pick applies: when some options draw a picked category, the choice is among those.
        Set<String> wanted = new HashSet<>();
        picks
            .keySet()
            .forEach(k -> wanted.add(library.findCategory(k).map(Category::name).orElse(k)));
        List<String> drawing =
            parts.stream().filter(o -> new Reach(slots, defaults).draws(o, wanted)).toList();
        from = drawing.isEmpty() ? parts : drawing;
      }
      String v = expand(from.get(random.nextInt(from.size())), depth + 1);
      choices.add(new Choice("{" + body + "}", v.strip()));
      return v;
    }

    private String slot(String name, int depth) {
      String value = slots.containsKey(name) ? slots.get(name) : defaults.get(name);
      if (value == null) {
        List<String> known = new ArrayList<>(defaults.keySet());
        slots.keySet().stream().filter(k -> !known.contains(k)).forEach(known::add);
        throw new BadRequestException(
            "prompt: slot {"
                + name
                + "}: expected a value (--set "
                + name
                + "=…), found none"
                + (known.isEmpty() ? "" : "; slots with values: " + String.join(", ", known)));
      }
      String v = expand(value, depth + 1);
      choices.add(new Choice("{" + name + "}", v.strip()));
      return v;
    }

    private String wildcard(String name, int depth) {
      Category cat =
          library
              .findCategory(name)
              .orElseThrow(
                  () ->
                      new BadRequestException(
                          "prompt: __"
                              + name
                              + "__: expected a library category ("
                              + String.join(
                                  ", ", library.categories().stream().map(Category::name).toList())
                              + "), found none named '"
                              + name
                              + "'"));
      String pick = picks.get(cat.name());
      if (pick != null) {
        LibraryEntry e = cat.find(pick).orElse(null);
        String v = e == null ? pick : e.render();
        choices.add(new Choice("__" + cat.name() + "__", e == null ? pick : e.name()));
        return expand(v, depth + 1);
      }
      Set<String> seen = used.computeIfAbsent(cat.name(), k -> new HashSet<>());
      List<LibraryEntry> fresh =
          cat.entries().stream().filter(e -> !seen.contains(e.name())).toList();
      List<LibraryEntry> from = fresh.isEmpty() ? cat.entries() : fresh;
      LibraryEntry e = from.get(random.nextInt(from.size()));
      seen.add(e.name());
      choices.add(new Choice("__" + cat.name() + "__", e.name()));
      return expand(e.render(), depth + 1);
    }
  }
}

package atelier.recipe;

import atelier.BadRequestException;
import atelier.diffusion.SchedulerKind;
import atelier.image.Resize;
import atelier.image.basemap.OpKind;
import atelier.image.basemap.OpSyntax;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads recipes (YAML or JSON, format {@code atelier-recipe/1}) and checks them against the format,
 * reporting every problem with its path, what was expected and what was found: {@code
 * recipe.basemap[2].op: expected one of canvas, temperature, …, found 'blurr'}. {@code --set}
 * overrides are applied to the tree before checking, so they are checked the same way. Stateless.
 */
public final class RecipeReader {
  static final List<String> TOP_KEYS =
      List.of(
          "format",
          "name",
          "version",
          "title",
          "description",
          "input",
          "params",
          "prompt",
          "basemap",
          "generate",
          "upscale",
          "select",
          "series");
  static final List<String> PARAM_KEYS = List.of("default", "description", "pick");
  static final List<String> PROMPT_KEYS = List.of("template", "text", "negative", "picks");
  static final List<String> GENERATE_KEYS =
      List.of(
          "width",
          "height",
          "base",
          "steps",
          "guidance",
          "scheduler",
          "eta",
          "strength",
          "seed",
          "batch",
          "fit");
  static final List<String> UPSCALE_KEYS = List.of("width", "height", "method", "fit");
  static final List<String> SELECT_KEYS = List.of("keep", "count", "by");
  static final List<String> SERIES_KEYS = List.of("param", "items", "seed");
  static final Pattern PLACEHOLDER = Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_-]*\\}");

  private static final ObjectMapper YAML = new YAMLMapper();

  private RecipeReader() {}

  /** Reads a recipe file. */
  public static Recipe read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new BadRequestException("recipe: expected a file at " + file + ", found nothing");
    }
    try {
      return read(Files.readString(file), file.toString(), Map.of());
    } catch (IOException e) {
      throw new BadRequestException("recipe " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a recipe from text, applying dotted-path overrides first ({@code generate.steps} → {@code
   * 30}; values are read as YAML, so {@code [a, b]} is a list and {@code null} removes).
   *
   * @throws BadRequestException listing every problem
   */
  public static Recipe read(String text, String source, Map<String, String> overrides) {
    JsonNode root = parse(text, source);
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      set(root, e.getKey(), e.getValue());
    }
    return fromTree(root, source);
  }

  /** Parses YAML or JSON into a tree whose top is a map. */
  static ObjectNode parse(String text, String source) {
    try {
      JsonNode root = YAML.readTree(text);
      if (root == null || !root.isObject()) {
        throw new BadRequestException(
            "recipe " + source + ": expected a map at the top, found " + TreeCheck.describe(root));
      }
      return (ObjectNode) root;
    } catch (IOException e) {
      throw new BadRequestException(
          "recipe " + source + ": not valid YAML or JSON: " + e.getMessage(), e);
    }
  }

  /** Sets (or with {@code null} removes) the value at a dotted path, creating maps on the way. */
  static void set(JsonNode root, String path, String value) {
    String[] parts = path.split("\\.");
    JsonNode node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode next = node.get(parts[i]);
      if (next == null || !next.isObject()) {
        next = ((ObjectNode) node).putObject(parts[i]);
      }
      node = next;
    }
    JsonNode v;
    try {
      v = YAML.readTree(value);
    } catch (IOException e) {
      v = null;
    }
    if (v == null || v.isMissingNode()) {
      v = JsonNodeFactory.instance.textNode(value);
    }
    String last = parts[parts.length - 1];
    if (v.isNull()) {
      ((ObjectNode) node).remove(last);
    } else {
      ((ObjectNode) node).set(last, v);
    }
  }

  /** Checks a parsed tree and builds the recipe. */
  static Recipe fromTree(JsonNode root, String source) {
    TreeCheck c = new TreeCheck("recipe " + source);
    String p = "recipe";
    c.keys(root, p, TOP_KEYS);
    String format = c.string(root, "format", p, true, null);
    if (format != null && !format.equals(Recipe.FORMAT)) {
      c.error(p + ".format", "'" + Recipe.FORMAT + "'", root.get("format"));
    }
    String name = c.string(root, "name", p, true, null);
    if (name != null && !name.matches("[a-z][a-z0-9-]*")) {
      c.error(p + ".name", "lower-case letters, digits and hyphens", root.get("name"));
    }
    String version = c.string(root, "version", p, true, null);
    Recipe.Input input = c.choice(root, "input", p, Recipe.Input::lookup, Recipe.Input.NONE);
    Map<String, Recipe.Param> params = params(c, root);
    Recipe.PromptSpec prompt = prompt(c, root);
    List<Recipe.Step> steps = basemap(c, root);
    Recipe.Generate generate = generate(c, root);
    Recipe.Upscale upscale = upscale(c, root);
    Recipe.Select select = select(c, root);
    Recipe.Series series = series(c, root);
    if (generate != null
        && generate.strength() != null
        && steps.isEmpty()
        && input != Recipe.Input.IMAGE) {
      c.error(
          p
              + ".generate.strength: applies to image-to-image; expected a basemap or input: image,"
              + " found neither");
    }
    c.throwIfAny();
    return new Recipe(
        name,
        version,
        c.string(root, "title", p, false, name),
        c.string(root, "description", p, false, ""),
        input,
        params,
        prompt,
        steps,
        generate,
        upscale,
        select,
        series,
        source);
  }

  private static Map<String, Recipe.Param> params(TreeCheck c, JsonNode root) {
    Map<String, Recipe.Param> out = new LinkedHashMap<>();
    JsonNode ps = c.object(root, "params", "recipe", false);
    if (ps == null) {
      return out;
    }
    ps.fields()
        .forEachRemaining(
            e -> {
              String path = "recipe.params." + e.getKey();
              if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_-]*")) {
                c.error(path, "a name of letters, digits, '_' and '-'", null);
                return;
              }
              JsonNode v = e.getValue();
              if (v.isValueNode()) {
                out.put(
                    e.getKey(),
                    new Recipe.Param(e.getKey(), v.isNull() ? null : v.asText(), "", null));
              } else if (v.isObject()) {
                c.keys(v, path, PARAM_KEYS);
                out.put(
                    e.getKey(),
                    new Recipe.Param(
                        e.getKey(),
                        c.string(v, "default", path, false, null),
                        c.string(v, "description", path, false, ""),
                        c.string(v, "pick", path, false, null)));
              } else {
                c.error(path, "a default value or a map with default, description, pick", v);
              }
            });
    return out;
  }

  private static Recipe.PromptSpec prompt(TreeCheck c, JsonNode root) {
    JsonNode pr = c.object(root, "prompt", "recipe", true);
    if (pr == null) {
      return null;
    }
    c.keys(pr, "recipe.prompt", PROMPT_KEYS);
    String template = c.string(pr, "template", "recipe.prompt", false, null);
    String text = c.string(pr, "text", "recipe.prompt", false, null);
    if ((template == null) == (text == null)) {
      c.error(
          "recipe.prompt: expected exactly one of template (a library template) and text (a"
              + " pattern), found "
              + (template == null ? "neither" : "both"));
      return null;
    }
    Map<String, String> picks = new LinkedHashMap<>();
    JsonNode pk = c.object(pr, "picks", "recipe.prompt", false);
    if (pk != null) {
      pk.fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                  picks.put(e.getKey(), e.getValue().asText());
                } else {
                  c.error("recipe.prompt.picks." + e.getKey(), "an entry name", e.getValue());
                }
              });
    }
    return new Recipe.PromptSpec(
        template, text, c.string(pr, "negative", "recipe.prompt", false, null), picks);
  }

  private static List<Recipe.Step> basemap(TreeCheck c, JsonNode root) {
    List<Recipe.Step> out = new ArrayList<>();
    JsonNode bm = root.get("basemap");
    if (bm == null || bm.isNull()) {
      return out;
    }
    if (!bm.isArray()) {
      c.error("recipe.basemap", "a list of steps", bm);
      return out;
    }
    for (int i = 0; i < bm.size(); i++) {
      String path = "recipe.basemap[" + i + "]";
      JsonNode s = bm.get(i);
      String opName;
      Map<String, String> named = new LinkedHashMap<>();
      List<String> bare = List.of();
      if (s.isTextual()) {
        try {
          OpSyntax.Parsed parsed = OpSyntax.parse(s.asText());
          opName = parsed.name();
          named.putAll(parsed.named());
          bare = parsed.positional();
        } catch (BadRequestException e) {
          c.error(path + ": " + e.getMessage());
          continue;
        }
      } else if (s.isObject()) {
        if (!s.has("op")) {
          c.error(path + ".op", "an op name", null);
          continue;
        }
        opName = s.get("op").asText();
        boolean ok = true;
        for (var it = s.fields(); it.hasNext(); ) {
          var e = it.next();
          if (e.getKey().equals("op")) {
            continue;
          }
          if (!e.getValue().isValueNode() || e.getValue().isNull()) {
            c.error(path + "." + e.getKey(), "a value", e.getValue());
            ok = false;
          } else {
            named.put(e.getKey(), e.getValue().asText());
          }
        }
        if (!ok) {
          continue;
        }
      } else {
        c.error(path, "an op as text (name:key=value,…) or a map with op", s);
        continue;
      }
      OpKind kind;
      try {
        kind = OpKind.lookup(opName);
      } catch (BadRequestException e) {
        c.error(path + ".op: " + e.getMessage().substring(e.getMessage().indexOf("expected")));
        continue;
      }
      if (bare.size() > kind.positional().size()) {
        c.error(
            path
                + ": expected at most "
                + kind.positional().size()
                + " unnamed values ("
                + String.join(", ", kind.positional())
                + "), found "
                + bare.size());
        continue;
      }
      Map<String, String> args = new LinkedHashMap<>();
      for (int k = 0; k < bare.size(); k++) {
        args.put(kind.positional().get(k), bare.get(k));
      }
      args.putAll(named);
      if (i > 0 && kind.isSource()) {
        c.error(
            path
                + ".op: expected "
                + kind.opName()
                + " only as the first step, found it at "
                + (i + 1));
        continue;
      }
      // Steps without placeholders are checked in full now; the rest when they are filled.
      if (args.values().stream().noneMatch(v -> PLACEHOLDER.matcher(v).find())) {
        try {
          kind.create(args);
        } catch (BadRequestException e) {
          c.error(path + ": " + e.getMessage());
          continue;
        }
      }
      out.add(new Recipe.Step(kind, args));
    }
    return out;
  }

  private static Recipe.Generate generate(TreeCheck c, JsonNode root) {
    JsonNode g = c.object(root, "generate", "recipe", false);
    if (g == null) {
      return Recipe.Generate.DEFAULT;
    }
    String p = "recipe.generate";
    c.keys(g, p, GENERATE_KEYS);
    Integer w = side(c, g, "width", p);
    Integer h = side(c, g, "height", p);
    if ((w == null) != (h == null) && c.ok()) {
      c.error(
          p
              + ": expected both width and height or neither, found only "
              + (w == null ? "height" : "width"));
    }
    Integer base = side(c, g, "base", p);
    Integer batch = c.integer(g, "batch", p, 1, 64);
    return new Recipe.Generate(
        w,
        h,
        base,
        c.integer(g, "steps", p, 1, 1000),
        c.number(g, "guidance", p, 0, 100),
        c.choice(g, "scheduler", p, SchedulerKind::lookup, null),
        c.number(g, "eta", p, 0, 1),
        strength(c, g, p),
        c.longValue(g, "seed", p, 0, 0xFFFF_FFFFL),
        batch == null ? 1 : batch,
        c.choice(g, "fit", p, Resize.Fit::lookup, null));
  }

  private static Double strength(TreeCheck c, JsonNode g, String p) {
    Double s = c.number(g, "strength", p, 0, 1);
    if (s != null && s == 0) {
      c.error(p + ".strength", "more than 0 and at most 1", g.get("strength"));
      return null;
    }
    return s;
  }

  private static Integer side(TreeCheck c, JsonNode g, String key, String p) {
    Integer v = c.integer(g, key, p, 8, 8192);
    if (v != null && v % 8 != 0) {
      c.error(p + "." + key, "a multiple of 8", g.get(key));
      return null;
    }
    return v;
  }

  private static Recipe.Upscale upscale(TreeCheck c, JsonNode root) {
    JsonNode u = c.object(root, "upscale", "recipe", false);
    if (u == null) {
      return null;
    }
    String p = "recipe.upscale";
    c.keys(u, p, UPSCALE_KEYS);
    Integer w = c.integer(u, "width", p, 8, 16384);
    Integer h = c.integer(u, "height", p, 8, 16384);
    if (u.get("width") == null || u.get("height") == null) {
      c.error(
          p
              + ": expected width and height, found "
              + (u.get("width") == null ? "no width" : "no height"));
    }
    String method = c.string(u, "method", p, false, "auto");
    if (!method.equals("auto") && !method.equals("lanczos")) {
      c.error(p + ".method", "one of auto, lanczos", u.get("method"));
    }
    Resize.Fit fit = c.choice(u, "fit", p, Resize.Fit::lookup, Resize.Fit.COVER);
    return w == null || h == null ? null : new Recipe.Upscale(w, h, method, fit);
  }

  private static Recipe.Select select(TreeCheck c, JsonNode root) {
    JsonNode s = c.object(root, "select", "recipe", false);
    if (s == null) {
      return Recipe.Select.KEEP_ALL;
    }
    String p = "recipe.select";
    c.keys(s, p, SELECT_KEYS);
    Recipe.Select.Keep keep =
        c.choice(s, "keep", p, Recipe.Select.Keep::lookup, Recipe.Select.Keep.ALL);
    Integer count = c.integer(s, "count", p, 1, 64);
    return new Recipe.Select(keep, count == null ? 1 : count, c.string(s, "by", p, false, null));
  }

  private static Recipe.Series series(TreeCheck c, JsonNode root) {
    JsonNode s = c.object(root, "series", "recipe", false);
    if (s == null) {
      return null;
    }
    String p = "recipe.series";
    c.keys(s, p, SERIES_KEYS);
    List<String> items = c.strings(s, "items", p);
    if (items == null || items.isEmpty()) {
      c.error(p + ".items", "a list of at least one item", s.get("items"));
      return null;
    }
    return new Recipe.Series(
        c.string(s, "param", p, false, "subject"),
        items,
        c.choice(s, "seed", p, Recipe.Series.SeedMode::lookup, Recipe.Series.SeedMode.SAME));
  }
}

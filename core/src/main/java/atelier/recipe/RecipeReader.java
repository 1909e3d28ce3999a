package atelier.recipe;

import atelier.BadRequestException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
          "series",
          "control",
          "extend");
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
  static final List<String> CONTROL_KEYS = List.of("net", "preprocess", "scale", "end");
  static final List<String> EXTEND_KEYS = List.of("method", "strength", "blur", "fill");
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
    List<Recipe.Step> steps = RecipeSections.basemap(c, root);
    Recipe.Generate generate = RecipeSections.generate(c, root);
    Recipe.Upscale upscale = RecipeSections.upscale(c, root);
    Recipe.Select select = RecipeSections.select(c, root);
    Recipe.Series series = RecipeSections.series(c, root);
    Recipe.Control control = RecipeSections.control(c, root);
    Recipe.Extend extend = RecipeSections.extend(c, root);
    if (extend != null && input != Recipe.Input.NONE) {
      c.error(
          p
              + ".extend: applies to recipes with an optional input picture; expected input: none,"
              + " found input: "
              + input.name().toLowerCase(java.util.Locale.ROOT));
    }
    if (extend != null && control != null) {
      c.error(
          p
              + ".extend: an outpainted picture keeps its pixels and has no structure to steer;"
              + " expected extend or control, found both");
    }
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
        control,
        extend,
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
}

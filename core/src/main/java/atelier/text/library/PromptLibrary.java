package atelier.text.library;

import atelier.BadRequestException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The prompt library: categories of prompt words (subjects, styles, artists, lighting, composition,
 * quality modifiers, …) and prompt templates, loaded from data files. The built-in library ships as
 * YAML under {@code atelier/library/} on the class path; users add or override categories and
 * templates with their own folder of {@code .yaml}/{@code .json} files. Immutable and thread-safe.
 *
 * <p>A category file has {@code category}, {@code description} and {@code entries} (each a string,
 * or a map with {@code text}, optional {@code name}, {@code weight}, {@code tags}); a templates
 * file has {@code templates} (each with {@code name}, {@code text}, optional {@code description},
 * {@code negative}, {@code defaults}).
 */
public final class PromptLibrary {
  private static final String BUILT_IN = "/atelier/library/";
  private static final ObjectMapper YAML = new YAMLMapper();
  private static volatile PromptLibrary builtIn;

  private final Map<String, Category> categories;
  private final Map<String, PromptTemplate> templates;

  private PromptLibrary(Map<String, Category> categories, Map<String, PromptTemplate> templates) {
    this.categories = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(categories));
    this.templates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(templates));
  }

  /** The library that ships with Atelier (read once, then shared). */
  public static PromptLibrary builtIn() {
    PromptLibrary lib = builtIn;
    if (lib == null) {
      synchronized (PromptLibrary.class) {
        lib = builtIn;
        if (lib == null) {
          lib = readBuiltIn();
          builtIn = lib;
        }
      }
    }
    return lib;
  }

  private static PromptLibrary readBuiltIn() {
    Builder b = new Builder();
    for (String file : resource("index.txt").lines().map(String::strip).toList()) {
      if (!file.isEmpty() && !file.startsWith("#")) {
        b.add(file, parse(file, resource(file)));
      }
    }
    return b.build();
  }

  private static String resource(String name) {
    try (InputStream in = PromptLibrary.class.getResourceAsStream(BUILT_IN + name)) {
      if (in == null) {
        throw new IllegalStateException("built-in library file " + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("reading built-in library file " + name + " failed", e);
    }
  }

  /**
   * Reads every {@code .yaml}, {@code .yml} and {@code .json} file of a folder.
   *
   * @throws BadRequestException naming the file and the field that is wrong
   */
  public static PromptLibrary load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new BadRequestException("library: expected a folder at " + dir + ", found none");
    }
    Builder b = new Builder();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json")) {
          b.add(f.toString(), parse(f.toString(), Files.readString(f)));
        }
      }
    } catch (IOException e) {
      throw new BadRequestException("library " + dir + ": " + e.getMessage(), e);
    }
    return b.build();
  }

  /** This library with another's categories and templates added; the other's win on a clash. */
  public PromptLibrary with(PromptLibrary other) {
    Map<String, Category> c = new LinkedHashMap<>(categories);
    c.putAll(other.categories);
    Map<String, PromptTemplate> t = new LinkedHashMap<>(templates);
    t.putAll(other.templates);
    return new PromptLibrary(c, t);
  }

  /** All categories, in file order. */
  public Collection<Category> categories() {
    return categories.values();
  }

  /** All templates, in file order. */
  public Collection<PromptTemplate> templates() {
    return templates.values();
  }

  /** A category by name, if present. */
  public Optional<Category> findCategory(String name) {
    return Optional.ofNullable(categories.get(name.strip().toLowerCase(Locale.ROOT)));
  }

  /** A template by name, if present. */
  public Optional<PromptTemplate> findTemplate(String name) {
    return Optional.ofNullable(templates.get(name.strip().toLowerCase(Locale.ROOT)));
  }

  /**
   * A category by name.
   *
   * @throws BadRequestException listing the categories
   */
  public Category category(String name) {
    return findCategory(name)
        .orElseThrow(
            () ->
                new BadRequestException(
                    "library: expected a category ("
                        + String.join(", ", categories.keySet())
                        + "), found '"
                        + name
                        + "'"));
  }

  /**
   * A template by name.
   *
   * @throws BadRequestException listing the templates
   */
  public PromptTemplate template(String name) {
    return findTemplate(name)
        .orElseThrow(
            () ->
                new BadRequestException(
                    "library: expected a template ("
                        + String.join(", ", templates.keySet())
                        + "), found '"
                        + name
                        + "'"));
  }

  private static JsonNode parse(String file, String text) {
    try {
      JsonNode root = YAML.readTree(text);
      if (root == null || !root.isObject()) {
        throw new BadRequestException(
            "library file "
                + file
                + ": expected a map at the top, found "
                + (root == null
                    ? "nothing"
                    : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
      }
      return root;
    } catch (IOException e) {
      throw new BadRequestException(
          "library file " + file + ": not valid YAML/JSON: " + e.getMessage(), e);
    }
  }

  /** Collects categories and templates from parsed files. */
  private static final class Builder {
    final Map<String, Category> categories = new LinkedHashMap<>();
    final Map<String, PromptTemplate> templates = new LinkedHashMap<>();

    void add(String file, JsonNode root) {
      try {
        if (root.has("category")) {
          Category c = category(root);
          categories.put(c.name(), c);
        } else if (root.has("templates")) {
          for (Iterator<JsonNode> it = array(root, "templates"); it.hasNext(); ) {
            PromptTemplate t = template(it.next());
            templates.put(t.name(), t);
          }
        } else {
          throw new BadRequestException(
              "expected a 'category' file or a 'templates' file, found keys "
                  + iterable(root.fieldNames()));
        }
      } catch (BadRequestException e) {
        throw new BadRequestException("library file " + file + ": " + e.getMessage(), e);
      }
    }

    PromptLibrary build() {
      return new PromptLibrary(categories, templates);
    }

    private static Category category(JsonNode root) {
      List<LibraryEntry> entries = new ArrayList<>();
      int i = 0;
      for (Iterator<JsonNode> it = array(root, "entries"); it.hasNext(); i++) {
        JsonNode e = it.next();
        String at = "entries[" + i + "]";
        if (e.isTextual()) {
          entries.add(new LibraryEntry(null, e.asText(), 1, List.of()));
          continue;
        }
        if (!e.isObject()) {
          throw new BadRequestException(at + ": expected text or a map, found " + e);
        }
        JsonNode w = e.get("weight");
        if (w != null && !w.isNumber()) {
          throw new BadRequestException(at + ".weight: expected a number, found " + w);
        }
        List<String> tags = new ArrayList<>();
        if (e.has("tags")) {
          e.get("tags").forEach(t -> tags.add(t.asText()));
        }
        entries.add(
            new LibraryEntry(
                text(e, "name", null), text(e, "text", null), w == null ? 1 : w.asDouble(), tags));
      }
      return new Category(text(root, "category", null), text(root, "description", ""), entries);
    }

    private static PromptTemplate template(JsonNode t) {
      Map<String, String> defaults = new LinkedHashMap<>();
      JsonNode d = t.get("defaults");
      if (d != null) {
        d.fields().forEachRemaining(e -> defaults.put(e.getKey(), e.getValue().asText()));
      }
      return new PromptTemplate(
          text(t, "name", null),
          text(t, "description", ""),
          text(t, "text", null),
          text(t, "negative", ""),
          defaults);
    }

    private static String text(JsonNode n, String key, String def) {
      JsonNode v = n.get(key);
      if (v == null || v.isNull()) {
        return def;
      }
      if (!v.isValueNode()) {
        throw new BadRequestException(key + ": expected text, found " + v);
      }
      return v.asText();
    }

    private static Iterator<JsonNode> array(JsonNode n, String key) {
      JsonNode v = n.get(key);
      if (v == null || !v.isArray()) {
        throw new BadRequestException(
            key + ": expected a list, found " + (v == null ? "nothing" : v.toString()));
      }
      return v.elements();
    }

    private static List<String> iterable(Iterator<String> it) {
      List<String> l = new ArrayList<>();
      it.forEachRemaining(l::add);
      return l;
    }
  }
}

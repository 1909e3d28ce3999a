package atelier.recipe;

import atelier.BadRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The recipe catalogue: the built-in recipes (YAML under {@code atelier/recipes/} on the class
 * path) and a user folder of {@code .yaml}/{@code .yml}/{@code .json} recipes, which win on a name
 * clash; or any recipe file by path. Stateless apart from the folder it was given.
 */
public final class Recipes {
  private static final String BUILT_IN = "/atelier/recipes/";

  private final Path userDir;

  /**
   * A catalogue with a user folder.
   *
   * @param userDir folder of the user's recipes; may be null or absent
   */
  public Recipes(Path userDir) {
    this.userDir = userDir;
  }

  /** The names of the built-in recipes, in catalogue order. */
  public static List<String> builtInNames() {
    return resource("index.txt")
        .lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .map(l -> l.replaceAll("\\.ya?ml$", ""))
        .toList();
  }

  /** The text of a built-in recipe. */
  public static String builtInText(String name) {
    return resource(name + ".yaml");
  }

  private static String resource(String file) {
    try (InputStream in = Recipes.class.getResourceAsStream(BUILT_IN + file)) {
      if (in == null) {
        throw new IllegalStateException("built-in recipe file " + file + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("reading built-in recipe " + file + " failed", e);
    }
  }

  /** Every recipe's text by name: built-ins, then the user folder's (which replace built-ins). */
  public Map<String, Source> sources() {
    Map<String, Source> out = new LinkedHashMap<>();
    for (String n : builtInNames()) {
      out.put(n, new Source(n, "built-in:" + n, builtInText(n)));
    }
    if (userDir != null && Files.isDirectory(userDir)) {
      try (Stream<Path> files = Files.list(userDir)) {
        for (Path f : files.sorted().toList()) {
          String fn = f.getFileName().toString().toLowerCase(Locale.ROOT);
          if (fn.endsWith(".yaml") || fn.endsWith(".yml") || fn.endsWith(".json")) {
            Recipe r = RecipeReader.read(f);
            out.put(r.name(), new Source(r.name(), f.toString(), Files.readString(f)));
          }
        }
      } catch (IOException e) {
        throw new BadRequestException("recipes folder " + userDir + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** A recipe's name, where it came from, and its text. */
  public record Source(String name, String origin, String text) {}

  /** All recipes, read and checked. */
  public List<Recipe> all() {
    List<Recipe> out = new ArrayList<>();
    for (Source s : sources().values()) {
      out.add(RecipeReader.read(s.text(), s.origin(), Map.of()));
    }
    return out;
  }

  /**
   * A recipe by catalogue name or by file path, with {@code --set} path overrides applied.
   *
   * @throws BadRequestException listing the catalogue's names when none matches
   */
  public Recipe find(String nameOrFile, Map<String, String> overrides) {
    return RecipeReader.read(source(nameOrFile).text(), source(nameOrFile).origin(), overrides);
  }

  /** The text of a recipe by catalogue name or file path. */
  public Source source(String nameOrFile) {
    Path p = Path.of(nameOrFile);
    String lower = nameOrFile.toLowerCase(Locale.ROOT);
    if (Files.isRegularFile(p)
        || lower.endsWith(".yaml")
        || lower.endsWith(".yml")
        || lower.endsWith(".json")) {
      if (!Files.isRegularFile(p)) {
        throw new BadRequestException("recipe: expected a file at " + p + ", found nothing");
      }
      try {
        return new Source(nameOrFile, p.toString(), Files.readString(p));
      } catch (IOException e) {
        throw new BadRequestException("recipe " + p + ": " + e.getMessage(), e);
      }
    }
    Map<String, Source> all = sources();
    Source s = all.get(nameOrFile.strip().toLowerCase(Locale.ROOT));
    if (s == null) {
      throw new BadRequestException(
          "recipe: expected a recipe name ("
              + String.join(", ", all.keySet())
              + ") or a .yaml/.json file, found '"
              + nameOrFile
              + "'");
    }
    return s;
  }
}

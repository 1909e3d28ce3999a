package atelier.jobs;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.recipe.Recipes;
import atelier.text.library.PromptLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where recipe and sweep jobs find the user's additions under the data folder ({@code library/},
 * {@code recipes/}), and how {@code --set KEY=VALUE} pairs split into recipe parameters and setting
 * paths. Stateless.
 */
public final class CraftSources {
  private CraftSources() {}

  /** The user's prompt library folder ({@code <home>/library}). */
  public static Path userLibrary(AtelierHome home) {
    return home.root().resolve("library");
  }

  /** The user's recipe folder ({@code <home>/recipes}). */
  public static Path userRecipes(AtelierHome home) {
    return home.root().resolve("recipes");
  }

  /** The built-in library, plus the user's folder and {@code extra} when present. */
  public static PromptLibrary library(AtelierHome home, Path extra) {
    PromptLibrary lib = PromptLibrary.builtIn();
    if (Files.isDirectory(userLibrary(home))) {
      lib = lib.with(PromptLibrary.load(userLibrary(home)));
    }
    if (extra != null) {
      lib = lib.with(PromptLibrary.load(extra));
    }
    return lib;
  }

  /** The recipe catalogue with the user's folder. */
  public static Recipes recipes(AtelierHome home) {
    return new Recipes(userRecipes(home));
  }

  /**
   * Splits {@code KEY=VALUE} options in order.
   *
   * @param option the option's name, for messages
   */
  public static Map<String, String> pairs(List<String> values, String option) {
    Map<String, String> out = new LinkedHashMap<>();
    if (values == null) {
      return out;
    }
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq <= 0) {
        throw new BadRequestException(option + ": expected KEY=VALUE, found '" + v + "'");
      }
      out.put(v.substring(0, eq).strip(), v.substring(eq + 1));
    }
    return out;
  }

  /** Recipe sections a {@code --set} may replace whole ({@code upscale=null} removes it). */
  private static final List<String> SECTIONS =
      List.of("prompt", "basemap", "generate", "upscale", "select", "series");

  private static boolean isPath(String key) {
    return key.contains(".") || SECTIONS.contains(key);
  }

  /** {@code --set} values without a dot that name no section: recipe parameters. */
  public static Map<String, String> params(Map<String, String> sets) {
    Map<String, String> out = new LinkedHashMap<>();
    sets.forEach(
        (k, v) -> {
          if (!isPath(k)) {
            out.put(k, v);
          }
        });
    return out;
  }

  /**
   * {@code --set} values with a dot or naming a section: paths into the recipe ({@code
   * generate.steps}, {@code upscale}).
   */
  public static Map<String, String> paths(Map<String, String> sets) {
    Map<String, String> out = new LinkedHashMap<>();
    sets.forEach(
        (k, v) -> {
          if (isPath(k)) {
            out.put(k, v);
          }
        });
    return out;
  }
}

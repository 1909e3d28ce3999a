package atelier.recipe;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the caller gives a recipe run besides the recipe.
 *
 * @param params parameter values ({@code --set NAME=VALUE} without a dot)
 * @param input the input picture or logo ({@code --input}), or null
 * @param text the text for text recipes ({@code --text}), or null
 * @param seed the seed, overriding the recipe's; null for the recipe's or a random one
 */
public record RecipeInputs(Map<String, String> params, Path input, String text, Long seed) {
  public RecipeInputs {
    params =
        params == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /** No inputs at all. */
  public static RecipeInputs none() {
    return new RecipeInputs(Map.of(), null, null, null);
  }
}

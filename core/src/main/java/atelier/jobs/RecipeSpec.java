package atelier.jobs;

import atelier.BadRequestException;
import atelier.model.lora.LoraRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recipe run: a recipe by name or file, with {@code sets} as {@code atelier recipe run --set}
 * takes them (a key without a dot sets a parameter, {@code section.key} any setting), an input
 * picture or text, and a seed. Checked at construction with the messages of {@code atelier recipe
 * run}; the recipe itself is read when the job is prepared or run.
 *
 * @param recipe a recipe name or a {@code .yaml}/{@code .json} file
 * @param sets parameters and settings, in order (null: none)
 * @param input the input picture or logo file, or null
 * @param text the text for text recipes, or null
 * @param seed the seed, overriding the recipe's; null for the recipe's (or a drawn one)
 * @param model a model folder, an installed model id or a catalog id; null for the default
 * @param loras LoRAs merged into the model for every job of the recipe, written into each prompt as
 *     A1111's {@code <lora:NAME:W>} tags (as {@code generate --lora} does; tags in the recipe's own
 *     prompt text work too); null or empty for none
 */
public record RecipeSpec(
    String recipe,
    Map<String, String> sets,
    String input,
    String text,
    Long seed,
    String model,
    List<LoraRequest> loras)
    implements JobSpec {

  /** The kind name in queues and JSON. */
  public static final String KIND = "recipe";

  public RecipeSpec {
    if (recipe == null || recipe.isBlank()) {
      throw new BadRequestException("recipe: expected a recipe name or file, found none");
    }
    sets =
        sets == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sets));
    for (String k : sets.keySet()) {
      if (k == null || k.isBlank()) {
        throw new BadRequestException("--set: expected KEY=VALUE, found an empty key");
      }
    }
    checkSeed(seed);
    loras = loras == null || loras.isEmpty() ? null : List.copyOf(loras);
  }

  /** A spec without LoRAs. */
  public RecipeSpec(
      String recipe, Map<String, String> sets, String input, String text, Long seed, String model) {
    this(recipe, sets, input, text, seed, model, null);
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** This spec with another seed. */
  public RecipeSpec withSeed(Long s) {
    return new RecipeSpec(recipe, sets, input, text, s, model, loras);
  }

  /** This spec with another model reference (a front end that resolved it already). */
  public RecipeSpec withModel(String m) {
    return new RecipeSpec(recipe, sets, input, text, seed, m, loras);
  }

  static void checkSeed(Long seed) {
    if (seed != null && (seed < 0 || seed > 0xFFFF_FFFFL)) {
      throw new BadRequestException("--seed: expected 0 to 4294967295, found " + seed);
    }
  }
}

package atelier.recipe;

import atelier.text.library.PromptExpander;
import java.util.List;
import java.util.Map;

/**
 * How an output was made beyond its generation settings: the recipe (name, version, format), the
 * parameter values, the prompt template and its random choices, the full basemap chain, upscale,
 * selection, series position and sweep cell. Stored as JSON in each PNG's {@code
 * atelier-provenance} text chunk ({@link ProvenancePng}), next to the generation record, so a
 * recipe output can be made again. Immutable; null parts did not apply.
 *
 * @param recipe the recipe, or null for a plain generation (e.g. a sweep without one)
 * @param params parameter values after defaults and {@code --set}
 * @param prompt template and choices
 * @param basemap the basemap chain and its input
 * @param upscale the final size, or null
 * @param upscaler which upscaler made it (e.g. {@code lanczos})
 * @param select the selection asked for
 * @param selector which selector applied it (e.g. {@code keep-all})
 * @param series the position in a series, or null
 * @param sweep the sweep cell's axis values (axis → value), or null
 */
public record Provenance(
    RecipeRef recipe,
    Map<String, String> params,
    PromptRef prompt,
    BasemapRef basemap,
    Recipe.Upscale upscale,
    String upscaler,
    Recipe.Select select,
    String selector,
    SeriesRef series,
    Map<String, String> sweep) {

  /** The recipe that made an output. */
  public record RecipeRef(String name, String version, String format, String source) {}

  /**
   * The prompt's origin.
   *
   * @param template a library template's name, or the pattern itself
   * @param seed the seed the template's random choices were drawn with
   */
  public record PromptRef(String template, long seed, List<PromptExpander.Choice> choices) {}

  /**
   * A basemap.
   *
   * @param input the input picture's path, or null when the chain drew its own
   * @param inputSha256 the input file's SHA-256, or null
   * @param steps the canonical op texts, in order
   * @param file the basemap PNG the generation read (its path is also the record's init)
   * @param sha256 that file's SHA-256
   */
  public record BasemapRef(
      String input, String inputSha256, List<String> steps, String file, String sha256) {}

  /** A position in a series (1-based) and the item that filled it. */
  public record SeriesRef(int index, int count, String item) {}

  /** This provenance with the upscaler and selector that were used. */
  public Provenance withTools(String upscalerName, String selectorName) {
    return new Provenance(
        recipe,
        params,
        prompt,
        basemap,
        upscale,
        upscalerName,
        select,
        selectorName,
        series,
        sweep);
  }

  /** This provenance for one sweep cell. */
  public Provenance withSweep(Map<String, String> cell) {
    return new Provenance(
        recipe,
        params,
        prompt,
        basemap,
        upscale,
        upscaler,
        select,
        selector,
        series,
        Map.copyOf(cell));
  }
}

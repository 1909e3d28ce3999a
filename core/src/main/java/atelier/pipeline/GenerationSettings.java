package atelier.pipeline;

import java.util.List;

/**
 * Every setting of one generation, resolved to concrete values: what is stored with each image and
 * what {@code --from} runs again. For a stored image, {@code seed} is that image's own seed and
 * {@code batch} is 1, so it reproduces alone.
 *
 * @param strength null for text-to-image
 * @param init the basemap's source, null for text-to-image
 * @param initSha256 the basemap file's SHA-256, null for text-to-image
 * @param symmetry null for none
 * @param clipSkip A1111's clip skip, 1 for the text encoder's last layer (0 in records made before
 *     it existed reads as 1)
 * @param subseed the variation seed, null without variation
 * @param subseedStrength the variation strength (above 0), null without variation
 * @param inpaint the mask and inpainting settings, null for none
 * @param controls the ControlNets, null for none (records made before they were stored have none)
 * @param guessMode ControlNet guess mode, null without ControlNets
 */
public record GenerationSettings(
    String prompt,
    String negativePrompt,
    int width,
    int height,
    int steps,
    double guidance,
    String scheduler,
    double eta,
    long seed,
    int batch,
    Double strength,
    String init,
    String initSha256,
    String fit,
    Symmetry symmetry,
    int clipSkip,
    Long subseed,
    Double subseedStrength,
    InpaintSettings inpaint,
    List<ControlSettings> controls,
    Boolean guessMode) {

  public GenerationSettings {
    clipSkip = Math.max(1, clipSkip);
    controls = controls == null || controls.isEmpty() ? null : List.copyOf(controls);
  }

  /** Whether the start noise blends in a variation seed's. */
  public boolean varies() {
    return subseedStrength != null;
  }

  /**
   * The same settings for one image of the batch: its own seed, batch 1. As in A1111, a batch with
   * variation keeps the seed and steps the variation seed instead (variations of one image).
   */
  public GenerationSettings forImage(int index) {
    boolean v = varies();
    return new GenerationSettings(
        prompt,
        negativePrompt,
        width,
        height,
        steps,
        guidance,
        scheduler,
        eta,
        v ? seed : seed + index,
        1,
        strength,
        init,
        initSha256,
        fit,
        symmetry,
        clipSkip,
        v ? subseed + index : null,
        subseedStrength,
        inpaint,
        controls,
        guessMode);
  }
}

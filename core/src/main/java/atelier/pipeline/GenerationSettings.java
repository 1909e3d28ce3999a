package atelier.pipeline;

/**
 * Every setting of one generation, resolved to concrete values: what is stored with each image and
 * what {@code --from} runs again. For a stored image, {@code seed} is that image's own seed and
 * {@code batch} is 1, so it reproduces alone.
 *
 * @param strength null for text-to-image
 * @param init the basemap's source, null for text-to-image
 * @param initSha256 the basemap file's SHA-256, null for text-to-image
 * @param symmetry null for none
 * @param inpaint the mask and inpainting settings, null for none
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
    InpaintSettings inpaint) {

  /** Settings without inpainting. */
  public GenerationSettings(
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
      Symmetry symmetry) {
    this(
        prompt,
        negativePrompt,
        width,
        height,
        steps,
        guidance,
        scheduler,
        eta,
        seed,
        batch,
        strength,
        init,
        initSha256,
        fit,
        symmetry,
        null);
  }

  /** The same settings for one image of the batch: its own seed, batch 1. */
  public GenerationSettings forImage(int index) {
    return new GenerationSettings(
        prompt,
        negativePrompt,
        width,
        height,
        steps,
        guidance,
        scheduler,
        eta,
        seed + index,
        1,
        strength,
        init,
        initSha256,
        fit,
        symmetry,
        inpaint);
  }
}

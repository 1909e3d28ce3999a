package atelier.pipeline;

import java.util.List;

/**
 * The full record stored with one image (as JSON in its PNG and in catalogues): enough to make it
 * again.
 *
 * @param software the Atelier version that made it
 * @param created ISO-8601 instant
 * @param model which model
 * @param settings the settings for this image alone (its own seed, batch 1)
 * @param batchIndex the image's index in the run that made it
 * @param batchSeed the run's first seed
 * @param timesteps the UNet timesteps used
 * @param truncated prompt text that did not fit the model (empty when all fit)
 * @param warnings notes about settings that had no effect (e.g. a negative prompt without guidance)
 * @param timings times of the run that made it
 */
public record ImageRecord(
    String software,
    String created,
    ModelRef model,
    GenerationSettings settings,
    int batchIndex,
    long batchSeed,
    double[] timesteps,
    List<String> truncated,
    List<String> warnings,
    Timings timings) {}

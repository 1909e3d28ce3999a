package atelier.pipeline;

import atelier.model.ExportVariant;
import atelier.model.ModelFamily;
import java.nio.file.Path;

/**
 * What Atelier learned about a model at load: what it is and the settings that suit it.
 *
 * @param id the folder name
 * @param path the folder
 * @param family detected family
 * @param variant detected exporter
 * @param defaultWidth default image width (from unet/config.json sample_size, else the family)
 * @param defaultHeight default image height
 * @param defaultSteps the family's default step count
 * @param defaultGuidance the family's default guidance scale
 * @param defaultScheduler CLI name of the model's own scheduler
 * @param vaeScalingFactor latent scaling factor
 * @param imageToImage whether the export has a VAE encoder
 * @param maxPromptChunks how many 75-token chunks the UNet accepts (1 for a fixed 77 axis)
 * @param sizeMultiple image sides must be a multiple of this many pixels (64 for Stable Diffusion's
 *     UNets, which halve the latents three times)
 * @param fixedWidth the only width the UNet graph takes, or 0 when it takes any multiple
 * @param fixedHeight the only height the UNet graph takes, or 0
 * @param unetInChannels the UNet's sample channels: 4, or 9 for an inpainting UNet ([latents, mask,
 *     masked-image latents])
 */
public record ModelInfo(
    String id,
    Path path,
    ModelFamily family,
    ExportVariant variant,
    int defaultWidth,
    int defaultHeight,
    int defaultSteps,
    double defaultGuidance,
    String defaultScheduler,
    double vaeScalingFactor,
    boolean imageToImage,
    int maxPromptChunks,
    int sizeMultiple,
    int fixedWidth,
    int fixedHeight,
    int unetInChannels) {

  /** Whether the UNet is an inpainting UNet (9 input channels). */
  public boolean inpainting() {
    return unetInChannels == 9;
  }
}

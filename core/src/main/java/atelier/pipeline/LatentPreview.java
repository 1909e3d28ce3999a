package atelier.pipeline;

import java.awt.image.BufferedImage;

/**
 * Turns the latents of a running generation into a small picture for a progress preview, without
 * the VAE. The {@link #cheap()} one is a fixed linear map from the four SD latent channels to RGB
 * (AUTOMATIC1111's "Approx cheap"); {@link TaesdDecoder} decodes them with TAESD.
 *
 * <p>Implementations must be thread-safe: one instance serves every running job.
 */
public interface LatentPreview {
  /**
   * A preview of one image's latents.
   *
   * @param latents the latents in the sampler's space (scaled by the VAE factor), NCHW with N = 1:
   *     {@code latents[c * height * width + y * width + x]}; read only, not kept
   * @param channels latent channels (4 for SD 1.x/2.x)
   * @param height latent rows (image height / 8)
   * @param width latent columns (image width / 8)
   * @return a new RGB picture
   */
  BufferedImage preview(float[] latents, int channels, int height, int width);

  /**
   * AUTOMATIC1111's "Approx cheap": each pixel's RGB is a fixed 4→3 linear map of its latent
   * vector, mapped from [-1, 1] to [0, 255] and clamped, then enlarged {@code upscale} times
   * (bilinear), so a 512×512 image (64×64 latents) previews at 128×128 with {@code upscale} 2.
   *
   * @param upscale 1 to 8
   */
  static LatentPreview cheap(int upscale) {
    return new CheapLatentPreview(upscale);
  }
}

package atelier.pipeline;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * One generated image with its record.
 *
 * @param latents the final latents (before the VAE scaling is undone), for tests and tools
 */
public record Artwork(BufferedImage image, ImageRecord record, float[] latents) {
  public Artwork {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(record, "record");
  }
}

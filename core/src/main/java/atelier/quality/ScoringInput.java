package atelier.quality;

import java.awt.image.BufferedImage;

/**
 * An image to score, with what else is known about it.
 *
 * @param image the pixels (not modified by scorers)
 * @param prompt the prompt that made it, or {@code null} when unknown (prompt scorers then skip)
 * @param latents the final latents of a generated image for the NaN check, or {@code null}
 */
public record ScoringInput(BufferedImage image, String prompt, float[] latents) {
  public ScoringInput {
    if (image == null) {
      throw new IllegalArgumentException("scoring input: expected an image, found null");
    }
    if (image.getWidth() < 8 || image.getHeight() < 8) {
      throw new IllegalArgumentException(
          "scoring input: expected an image of at least 8×8 pixels, found "
              + image.getWidth()
              + "×"
              + image.getHeight());
    }
  }

  /** An image alone. */
  public static ScoringInput of(BufferedImage image) {
    return new ScoringInput(image, null, null);
  }

  /** An image and the prompt that made it. */
  public static ScoringInput of(BufferedImage image, String prompt) {
    return new ScoringInput(image, prompt, null);
  }
}

package atelier.recipe;

import atelier.image.Resize;
import java.awt.image.BufferedImage;

/**
 * Brings a finished image to a recipe's final size. The recipe runner holds one; Atelier's neural
 * upscaler plugs in here (this branch ships only {@link #LANCZOS}). Implementations must be
 * thread-safe.
 */
public interface Upscaler {
  /** A name for records ({@code lanczos}, {@code realesrgan-x4}, …). */
  String name();

  /**
   * Returns the image at exactly {@code width × height}: enlarged, then fitted (cover crops the
   * centre, contain pads, stretch distorts).
   */
  BufferedImage upscale(BufferedImage image, int width, int height, Resize.Fit fit);

  /** A plain Lanczos-3 resize ({@link Resize#fit}): no new detail, but exact sizes. */
  Upscaler LANCZOS =
      new Upscaler() {
        @Override
        public String name() {
          return "lanczos";
        }

        @Override
        public BufferedImage upscale(BufferedImage image, int width, int height, Resize.Fit fit) {
          return Resize.fit(image, width, height, fit);
        }
      };
}

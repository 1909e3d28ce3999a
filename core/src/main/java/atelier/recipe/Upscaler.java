package atelier.recipe;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.image.Resize;
import java.awt.image.BufferedImage;

/**
 * Brings a finished image to a recipe's final size. The recipe runner holds one: {@link
 * NeuralUpscaler} on the installed super-resolution models, or {@link #LANCZOS} when none is
 * installed or the recipe asks for {@code method: lanczos}. Implementations must be thread-safe.
 */
public interface Upscaler {
  /**
   * What this upscaler will use, for plans and notes ({@code lanczos}, {@code esrgan-thick
   * (installed super-resolution)}).
   */
  String name();

  /**
   * An image at its final size and what made it.
   *
   * @param image exactly the asked size
   * @param upscaler what enlarged it, recorded in the output's provenance: the super-resolution
   *     model's id (e.g. {@code esrgan-thick-x4}) or {@code lanczos}
   */
  record Result(BufferedImage image, String upscaler) {}

  /**
   * Returns the image at exactly {@code width × height}: enlarged, then fitted (cover crops the
   * centre, contain pads, stretch distorts).
   *
   * @param listener receives the upscaler's tiles as {@link atelier.Progress.Stage#UPSCALE}
   * @param cancel checked between tiles
   */
  Result upscale(
      BufferedImage image,
      int width,
      int height,
      Resize.Fit fit,
      ProgressListener listener,
      CancelToken cancel);

  /** A plain Lanczos-3 resize ({@link Resize#fit}): no new detail, but exact sizes. */
  Upscaler LANCZOS =
      new Upscaler() {
        @Override
        public String name() {
          return "lanczos";
        }

        @Override
        public Result upscale(
            BufferedImage image,
            int width,
            int height,
            Resize.Fit fit,
            ProgressListener listener,
            CancelToken cancel) {
          return new Result(Resize.fit(image, width, height, fit), "lanczos");
        }
      };
}

package atelier.pipeline;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * The inpainting part of a request: the mask as read (white repaints, black keeps; any size and
 * colour type, the pipeline brings it to greyscale and to the basemap's size) and how to inpaint.
 *
 * @param mask the mask picture
 * @param settings the mask's source and hash, and the inpainting settings
 */
public record Inpaint(BufferedImage mask, InpaintSettings settings) {
  public Inpaint {
    Objects.requireNonNull(mask, "mask");
    Objects.requireNonNull(settings, "settings");
  }
}

package atelier.pipeline;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * The basemap of an image-to-image request: the picture, where it came from (for the record) and
 * its SHA-256, so a stored image names exactly which basemap made it.
 *
 * @param image the picture as read (any size; the pipeline fits it to the target size)
 * @param source a path or description for people
 * @param sha256 hex SHA-256 of the basemap file's bytes
 */
public record InitImage(BufferedImage image, String source, String sha256) {
  public InitImage {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(sha256, "sha256");
  }
}

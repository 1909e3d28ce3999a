package atelier.server;

import java.util.List;

/**
 * What a job made.
 *
 * @param images the output images, in order (may be empty)
 */
public record JobOutcome(List<OutputImage> images) {
  public JobOutcome {
    images = List.copyOf(images);
  }
}

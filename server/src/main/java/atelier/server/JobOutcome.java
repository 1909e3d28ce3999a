package atelier.server;

import java.util.List;

/**
 * What a job made.
 *
 * @param images the output images, in order (may be empty)
 * @param result what the job reports besides its images, a JSON object (best-of-N selection,
 *     notes), or null
 */
public record JobOutcome(List<OutputImage> images, String result) {
  public JobOutcome {
    images = List.copyOf(images);
  }

  /** An outcome of images only. */
  public JobOutcome(List<OutputImage> images) {
    this(images, null);
  }
}

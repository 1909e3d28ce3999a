package atelier.pipeline;

import java.util.List;

/** The images of one request, in batch order, with the run's timings. */
public record GenerationResult(List<Artwork> images, Timings timings) {
  public GenerationResult {
    images = List.copyOf(images);
  }
}

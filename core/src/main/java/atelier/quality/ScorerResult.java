package atelier.quality;

import java.util.List;
import java.util.Optional;

/**
 * What one scorer says about one image: an overall score on the scorer's own scale (higher is
 * always better), the detailed scores behind it, and hard failures that disqualify the image
 * whatever its score (a black frame, NaN latents).
 *
 * @param scorer the scorer's name, e.g. {@code technical}
 * @param overall the ranking value, higher is better; its scale is the scorer's (see {@link
 *     Scorer#scale()})
 * @param scores the measurements, in a stable order
 * @param failures why the image is unusable; empty when it is not
 */
public record ScorerResult(
    String scorer, double overall, List<Score> scores, List<String> failures) {
  public ScorerResult {
    if (scorer == null || scorer.isBlank()) {
      throw new IllegalArgumentException("scorer result: expected a scorer name, found none");
    }
    if (!Double.isFinite(overall)) {
      throw new IllegalArgumentException(
          "scorer result " + scorer + ": expected a finite overall score, found " + overall);
    }
    scores = List.copyOf(scores);
    failures = List.copyOf(failures);
  }

  /** The measurement called {@code name}, if this scorer made one. */
  public Optional<Score> score(String name) {
    return scores.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}

package atelier.quality;

/**
 * One named measurement of an image, with a short reason a person can read.
 *
 * @param name what was measured, e.g. {@code sharpness} or {@code clip}
 * @param value the measurement in the unit its scorer documents (finite)
 * @param reason a few words on what the value means for this image
 */
public record Score(String name, double value, String reason) {
  public Score {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("score: expected a name, found none");
    }
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(
          "score " + name + ": expected a finite value, found " + value);
    }
    reason = reason == null ? "" : reason;
  }
}

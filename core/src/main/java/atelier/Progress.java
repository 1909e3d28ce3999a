package atelier;

import java.time.Duration;

/**
 * A snapshot of long-running work, sent to a {@link ProgressListener}.
 *
 * @param stage what is running now
 * @param step steps done in this stage, 0..total
 * @param total steps in this stage (at least 1)
 * @param image index of the image being made, 0-based
 * @param images number of images in the whole request
 * @param elapsed time since the stage started
 */
public record Progress(Stage stage, int step, int total, int image, int images, Duration elapsed) {

  /** The stages of a generation, in the order they run. */
  public enum Stage {
    LOAD,
    ENCODE_TEXT,
    ENCODE_IMAGE,
    DENOISE,
    DECODE,
    UPSCALE,
    SCORE,
    WRITE
  }

  public Progress {
    if (stage == null) {
      throw new IllegalArgumentException("stage: expected a stage, found null");
    }
    if (total < 1 || step < 0 || step > total) {
      throw new IllegalArgumentException(
          "step/total: expected 0 <= step <= total and total >= 1, found " + step + "/" + total);
    }
    if (images < 1 || image < 0 || image >= images) {
      throw new IllegalArgumentException(
          "image/images: expected 0 <= image < images, found " + image + "/" + images);
    }
    if (elapsed == null || elapsed.isNegative()) {
      throw new IllegalArgumentException(
          "elapsed: expected a non-negative duration, found " + elapsed);
    }
  }

  /** Steps per second in this stage so far, or 0 before the first step ends. */
  public double rate() {
    double seconds = elapsed.toNanos() / 1e9;
    return step == 0 || seconds <= 0 ? 0 : step / seconds;
  }

  /** Estimated time left in this stage, or null when no step has finished yet. */
  public Duration remaining() {
    if (step == 0) {
      return null;
    }
    return Duration.ofNanos(elapsed.toNanos() / step * (total - step));
  }
}

package atelier.upscale;

import java.util.Objects;

/**
 * What one upscale step did, stored with the image (JSON in the PNG's {@code atelier-upscale}
 * chunk) so the result can be traced and repeated.
 *
 * @param software the Atelier version
 * @param model the upscaler's id
 * @param modelSha256 hex SHA-256 of the upscaler's graph file, or empty when it was not a file
 * @param modelScale the model's own factor
 * @param scale the factor asked for
 * @param passes how many times the model ran over the image
 * @param tile tile side in input pixels, 0 when the image ran whole
 * @param overlap tile overlap in input pixels
 * @param alpha how alpha was upscaled, or null when the image had no transparency
 * @param inputWidth the input's width
 * @param inputHeight the input's height
 * @param width the output's width
 * @param height the output's height
 * @param millis wall time of the step
 */
public record UpscaleRecord(
    String software,
    String model,
    String modelSha256,
    int modelScale,
    int scale,
    int passes,
    int tile,
    int overlap,
    String alpha,
    int inputWidth,
    int inputHeight,
    int width,
    int height,
    long millis) {
  public UpscaleRecord {
    Objects.requireNonNull(software, "software");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(modelSha256, "modelSha256");
    if (width != inputWidth * scale || height != inputHeight * scale) {
      throw new IllegalArgumentException(
          "upscale record: expected the output to be the input × "
              + scale
              + ", found "
              + inputWidth
              + "×"
              + inputHeight
              + " → "
              + width
              + "×"
              + height);
    }
  }
}

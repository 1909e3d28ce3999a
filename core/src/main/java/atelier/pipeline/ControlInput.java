package atelier.pipeline;

import atelier.BadRequestException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * One ControlNet of a request: which ControlNet, its control image, how strongly and during which
 * part of the steps it steers (diffusers' {@code controlnet_conditioning_scale}, {@code
 * control_guidance_start} and {@code control_guidance_end}).
 *
 * @param model the ControlNet as the user named it (a store id, a path, or for a model with fused
 *     ControlNets the slot number 1..N), for messages and the record
 * @param path the ControlNet's graph or folder, or null for a fused slot
 * @param slot the fused slot (1..N), or 0 for a separate ControlNet
 * @param image the control image as read (fitted to the output size like a basemap), already
 *     preprocessed; its source names the file and the preprocessor
 * @param scale the residuals' multiplier (0 to 2; 1 as trained)
 * @param start the fraction of the steps where it starts acting (0 to 1)
 * @param end the fraction where it stops (start to 1)
 * @param file the control image file as given, for the record ({@code --from} reads it again), or
 *     null when the image was not read from a file (an upload, a recipe's basemap)
 * @param preprocess the preprocessor applied to the file's picture ({@link
 *     ControlPreprocessor#spec()}), or null
 */
public record ControlInput(
    String model,
    Path path,
    int slot,
    InitImage image,
    double scale,
    double start,
    double end,
    String file,
    String preprocess) {
  /** The largest scale accepted (A1111's limit). */
  public static final double MAX_SCALE = 2.0;

  public ControlInput {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(image, "image");
    if ((path == null) == (slot == 0)) {
      throw new IllegalArgumentException("control " + model + ": give a path or a fused slot");
    }
    if (!(scale >= 0 && scale <= MAX_SCALE)) {
      throw new BadRequestException(
          "control " + model + ": scale: expected 0 to " + MAX_SCALE + ", found " + scale);
    }
    if (!(start >= 0 && start < end && end <= 1)) {
      throw new BadRequestException(
          String.format(
              Locale.ROOT,
              "control %s: range: expected start-end with 0 ≤ start < end ≤ 1, found %s-%s",
              model,
              start,
              end));
    }
  }

  /** A ControlNet whose image was not read from a file the record could name. */
  public ControlInput(
      String model, Path path, int slot, InitImage image, double scale, double start, double end) {
    this(model, path, slot, image, scale, start, end, null, null);
  }

  /** Whether step {@code i} of {@code n} is in this ControlNet's range (diffusers' keep). */
  boolean activeAt(int i, int n) {
    return !((double) i / n < start || (double) (i + 1) / n > end);
  }
}

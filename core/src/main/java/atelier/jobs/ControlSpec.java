package atelier.jobs;

import atelier.BadRequestException;
import atelier.pipeline.ControlInput;
import atelier.pipeline.ControlPreprocessor;
import java.util.Locale;

/**
 * One ControlNet of a generate job ({@code generate --control MODEL:IMAGE[:SCALE[:START-END]]}).
 *
 * @param model a ControlNet folder or graph, an installed or catalog id, or for a model with
 *     ControlNets fused into its UNet the slot number (1..N)
 * @param image the control image file, or null with {@code imageData}
 * @param imageData the control image file's bytes (an upload), or null
 * @param imageSha256 the image file's expected SHA-256 (hex), as an image's record stores it, or
 *     null for any; a file with other bytes is refused
 * @param scale the residuals' multiplier (0 to 2; null: 1)
 * @param start the fraction of the steps where it starts (null: 0)
 * @param end the fraction where it stops (null: 1)
 * @param preprocess a preprocessor ({@link ControlPreprocessor#NAMES}) applied to the image, or
 *     null to use it as given
 */
public record ControlSpec(
    String model,
    String image,
    byte[] imageData,
    String imageSha256,
    Double scale,
    Double start,
    Double end,
    String preprocess) {
  public ControlSpec {
    if (model == null || model.isBlank()) {
      throw new BadRequestException(
          "control: expected a ControlNet (folder, id or slot), found none");
    }
    if ((image == null) == (imageData == null)) {
      throw new BadRequestException(
          "control "
              + model
              + ": expected one control image (a file or its bytes), found "
              + (image == null ? "none" : "both"));
    }
    if (preprocess != null) {
      ControlPreprocessor.parse(preprocess);
    }
    double s = scale == null ? 1.0 : scale;
    double a = start == null ? 0.0 : start;
    double b = end == null ? 1.0 : end;
    if (!(s >= 0 && s <= ControlInput.MAX_SCALE)) {
      throw new BadRequestException(
          "control " + model + ": scale: expected 0 to " + ControlInput.MAX_SCALE + ", found " + s);
    }
    if (!(a >= 0 && a < b && b <= 1)) {
      throw new BadRequestException(
          String.format(
              Locale.ROOT,
              "control %s: range: expected start-end with 0 ≤ start < end ≤ 1, found %s-%s",
              model,
              a,
              b));
    }
  }

  /**
   * Parses the CLI's {@code MODEL:IMAGE[:SCALE[:START-END]]}. A Windows drive letter or a path with
   * colons is not supported in MODEL; IMAGE may not contain a colon either.
   *
   * @throws BadRequestException naming the value, what was expected and what was found
   */
  public static ControlSpec parse(String text, String preprocess) {
    String[] p = text.split(":", -1);
    if (p.length < 2 || p.length > 4 || p[0].isBlank() || p[1].isBlank()) {
      throw new BadRequestException(
          "--control: expected MODEL:IMAGE[:SCALE[:START-END]], found '" + text + "'");
    }
    Double scale = null;
    Double start = null;
    Double end = null;
    try {
      if (p.length >= 3) {
        scale = Double.parseDouble(p[2]);
      }
      if (p.length == 4) {
        String[] r = p[3].split("-", -1);
        if (r.length != 2) {
          throw new NumberFormatException();
        }
        start = Double.parseDouble(r[0]);
        end = Double.parseDouble(r[1]);
      }
    } catch (NumberFormatException e) {
      throw new BadRequestException(
          "--control: expected MODEL:IMAGE[:SCALE[:START-END]] with numbers for SCALE, START and"
              + " END (e.g. canny:edges.png:0.8:0-0.6), found '"
              + text
              + "'");
    }
    return new ControlSpec(p[0], p[1], null, null, scale, start, end, preprocess);
  }
}

package atelier.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One ControlNet of a generation as its image's record stores it (in {@code settings.controls}), so
 * {@code generate --from} can make the image again: which ControlNet, which control image file (by
 * path and SHA-256, as basemaps are recorded), its preprocessor and how it applied. The field names
 * are those of a job spec's control ({@code atelier.jobs.ControlSpec}), so stored settings read as
 * a generate job. Immutable.
 *
 * @param model the ControlNet: an installed id or a fused slot number as it was named, or a folder
 *     or graph given as a path, made absolute (so {@code --from} finds it from any folder)
 * @param image the control image file as it was given, or null when it was not a file (an upload, a
 *     recipe's generated basemap)
 * @param imageSha256 hex SHA-256 of the control image file's bytes (before preprocessing)
 * @param preprocess the preprocessor applied to the image ({@code canny:100:200}, {@code invert},
 *     {@code mono:128}), or null
 * @param scale the residuals' multiplier
 * @param start the fraction of the steps where it started acting
 * @param end the fraction where it stopped
 */
public record ControlSettings(
    String model,
    String image,
    String imageSha256,
    String preprocess,
    double scale,
    double start,
    double end) {

  /** The record of a request's ControlNet. */
  public static ControlSettings of(ControlInput c) {
    Path named = Path.of(c.model());
    boolean path = c.path() != null && Files.exists(named);
    return new ControlSettings(
        path ? named.toAbsolutePath().normalize().toString() : c.model(),
        c.file(),
        c.image().sha256(),
        c.preprocess(),
        c.scale(),
        c.start(),
        c.end());
  }
}

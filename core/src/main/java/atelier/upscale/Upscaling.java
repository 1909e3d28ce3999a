package atelier.upscale;

import atelier.CancelToken;
import atelier.Progress;
import atelier.ProgressListener;
import atelier.Version;
import atelier.image.Resize;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.Optional;

/**
 * Upscales an image to a wanted factor with one upscaler: the model runs (tiled) as many times as
 * needed to reach the factor, the alpha channel is upscaled separately, and the result is resampled
 * with Lanczos-3 to exactly the factor when the model's passes overshoot it (as A1111's upscalers
 * do). Stateless; the upscaler may be shared between threads.
 */
public final class Upscaling {
  private Upscaling() {}

  /** The upscaled image and the record of how it was made. */
  public record Result(BufferedImage image, UpscaleRecord record) {}

  /**
   * Upscales {@code image}.
   *
   * @param listener receives {@link Progress.Stage#UPSCALE} progress, one step per tile
   * @param cancel checked before every tile
   */
  public static Result run(
      Upscaler up,
      BufferedImage image,
      UpscaleOptions options,
      ProgressListener listener,
      CancelToken cancel) {
    long started = System.nanoTime();
    int w = image.getWidth();
    int h = image.getHeight();
    int passes = 1;
    if (up.scale() > 1) {
      for (long f = up.scale(); f < options.scale(); f *= up.scale()) {
        passes++;
      }
    }
    PlanarImage rgb = PlanarImage.rgbOf(image);
    Optional<PlanarImage> alpha = PlanarImage.alphaOf(image);
    boolean alphaByModel = alpha.isPresent() && options.alpha() == UpscaleOptions.Alpha.MODEL;

    int[] tiles = new int[passes];
    int total = 0;
    for (int p = 0, pw = w, ph = h; p < passes; p++, pw *= up.scale(), ph *= up.scale()) {
      tiles[p] =
          options.tile() != null
              ? options.tile()
              : Tiler.tileForBudget(up, pw, ph, options.overlap(), options.memoryBudgetBytes());
      total += Tiler.tileCount(up, pw, ph, tiles[p], options.overlap()) * (alphaByModel ? 2 : 1);
    }
    int[] done = {0};
    int steps = total;
    Runnable tick =
        () ->
            listener.onProgress(
                new Progress(
                    Progress.Stage.UPSCALE,
                    ++done[0],
                    steps,
                    0,
                    1,
                    Duration.ofNanos(System.nanoTime() - started)));
    PlanarImage a = alphaByModel ? alpha.get().toRgb() : null;
    for (int p = 0; p < passes; p++) {
      rgb = Tiler.upscale(up, rgb, tiles[p], options.overlap(), n -> tick.run(), cancel);
      if (a != null) {
        a = Tiler.upscale(up, a, tiles[p], options.overlap(), n -> tick.run(), cancel);
      }
    }
    int tw = w * options.scale();
    int th = h * options.scale();
    BufferedImage out;
    if (alpha.isEmpty()) {
      out = PlanarImage.toImage(rgb, null);
    } else if (a != null) {
      out = PlanarImage.toImage(rgb, a.toGrey());
    } else {
      PlanarImage lanczos = resampleAlpha(alpha.get(), rgb.width(), rgb.height());
      out = PlanarImage.toImage(rgb, lanczos);
    }
    if (out.getWidth() != tw || out.getHeight() != th) {
      out = Resize.resample(out, tw, th);
    }
    UpscaleRecord record =
        new UpscaleRecord(
            Version.SOFTWARE,
            up.id(),
            up.sha256(),
            up.scale(),
            options.scale(),
            passes,
            tiles[0],
            options.overlap(),
            alpha.isEmpty() ? null : options.alpha().cliName(),
            w,
            h,
            tw,
            th,
            (System.nanoTime() - started) / 1_000_000);
    return new Result(out, record);
  }

  private static PlanarImage resampleAlpha(PlanarImage alpha, int width, int height) {
    BufferedImage grey =
        PlanarImage.toImage(
            new PlanarImage(1, alpha.width(), alpha.height(), alpha.data()).toRgb(), null);
    return PlanarImage.rgbOf(Resize.resample(grey, width, height)).toGrey();
  }
}

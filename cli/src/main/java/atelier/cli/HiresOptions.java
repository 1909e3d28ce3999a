package atelier.cli;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.model.SessionSettings;
import atelier.pipeline.Artwork;
import atelier.pipeline.StableDiffusion;
import atelier.upscale.HiresFix;
import atelier.upscale.Upscaler;
import atelier.upscale.UpscalerStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code generate}'s "generate small, then upscale" options: {@code --upscale N} runs an upscaler
 * on each image, and {@code --hires-strength} adds A1111's hires-fix image-to-image pass at the
 * upscaled size.
 */
final class HiresOptions {
  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec mixee;

  @Option(
      names = "--upscale",
      paramLabel = "N",
      description = "Upscale each image by 2, 3, 4 or 8 with a super-resolution model.")
  Integer upscale;

  @Option(
      names = "--upscaler",
      paramLabel = "ID|DIR",
      description =
          "The upscaler for --upscale (as 'atelier upscale --model'; default: installed).")
  String upscaler;

  @Option(
      names = "--hires-strength",
      paramLabel = "S",
      description =
          "Hires fix: repaint the upscaled image with image-to-image at this strength (0.2-0.5).")
  Double strength;

  @Option(
      names = "--hires-steps",
      paramLabel = "N",
      description = "Sampler steps of the hires pass (default: the first pass's).")
  Integer steps;

  @Option(
      names = "--tile",
      paramLabel = "N",
      description = "Upscaler tile side in pixels; 0 = whole image (default: automatic).")
  Integer tile;

  /** Whether any upscaling was asked for; checks the options' combinations. */
  boolean active() {
    if (upscale == null) {
      if (strength != null || steps != null || upscaler != null || tile != null) {
        throw new BadRequestException(
            "--hires-strength, --hires-steps, --upscaler and --tile apply to upscaling; expected"
                + " --upscale N too, found none");
      }
      return false;
    }
    if (upscale != 2 && upscale != 3 && upscale != 4 && upscale != 8) {
      throw new BadRequestException("--upscale: expected 2, 3, 4 or 8, found " + upscale);
    }
    settings(); // validates strength and steps before any model loads
    return true;
  }

  HiresFix.Settings settings() {
    return new HiresFix.Settings(
        atelier.jobs.UpscaleSpec.options(upscale, tile, null, null, null), strength, steps);
  }

  /** The upscaler, or null without {@code --upscale}. */
  Upscaler open(SessionSettings session) {
    if (!active()) {
      return null;
    }
    Path p = UpscalerStore.of(Home.of(mixee)).resolve(upscaler, upscale);
    return Upscaler.open(p, session);
  }

  /** Writes one image: as generated, or upscaled (and repainted) with the steps recorded. */
  Path write(
      Output output,
      StableDiffusion sd,
      Upscaler up,
      Artwork artwork,
      ProgressListener progress,
      CancelToken cancel) {
    if (up == null) {
      return output.write(artwork);
    }
    HiresFix.Result r = HiresFix.apply(sd, up, artwork, settings(), progress, cancel);
    return output.write(artwork, atelier.image.PngText.encode(r.image(), r.texts()));
  }
}

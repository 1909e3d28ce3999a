package atelier.cli;

import atelier.upscale.HiresFix;
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

  /** Whether any upscaling was asked for; checks the options with core's rules. */
  boolean active() {
    return settings() != null;
  }

  /** The upscale settings ({@link atelier.jobs.GenerateSpec#hires}), or null. */
  HiresFix.Settings settings() {
    return atelier.jobs.GenerateSpec.hires(upscale, upscaler, strength, steps, tile);
  }
}

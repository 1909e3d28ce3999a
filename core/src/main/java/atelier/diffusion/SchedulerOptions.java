package atelier.diffusion;

import atelier.BadRequestException;

/**
 * Per-run sampler settings that are not part of the model's scheduler config.
 *
 * @param eta DDIM's eta (0 = deterministic DDIM, 1 = DDPM-like noise), at least 0; only {@link
 *     SchedulerKind#DDIM} uses it, the other kinds reject a non-zero value
 * @param strength image-to-image strength in (0, 1]; 1 means text-to-image. Below 1 the scheduler
 *     starts where diffusers' image-to-image pipelines start: {@link Scheduler#beginIndex()} is set
 *     to skip the first {@code steps − int(steps·strength)} steps, except for LCM, whose pipeline
 *     instead draws all {@code steps} timesteps from the strength-shortened schedule and begins at
 *     0. Add noise to the clean latents with {@link Scheduler#addNoise} at {@code beginIndex()}.
 */
public record SchedulerOptions(double eta, double strength) {
  /** Text-to-image with eta 0. */
  public static final SchedulerOptions DEFAULTS = new SchedulerOptions(0, 1);

  public SchedulerOptions {
    if (!(eta >= 0) || Double.isInfinite(eta)) {
      throw new BadRequestException("eta: expected a finite number >= 0, found " + eta);
    }
    if (!(strength > 0 && strength <= 1)) {
      throw new BadRequestException("strength: expected a number in (0, 1], found " + strength);
    }
  }

  /** These options with another eta. */
  public SchedulerOptions withEta(double newEta) {
    return new SchedulerOptions(newEta, strength);
  }

  /** These options with another image-to-image strength. */
  public SchedulerOptions withStrength(double newStrength) {
    return new SchedulerOptions(eta, newStrength);
  }
}

package atelier.diffusion;

import atelier.BadRequestException;

/**
 * diffusers' LCMScheduler (Luo et al. 2023): timesteps picked from the distillation schedule of
 * original_inference_steps, a consistency-model boundary condition (c_skip, c_out) at each step,
 * and fresh noise from the generator before every step but the last. The x0 this returns is LCM's
 * "denoised", which its pipelines decode at the end. Stateless apart from the step order.
 */
final class LcmScheduler extends BaseScheduler {
  private final float finalAlphaCumprod;

  private LcmScheduler(Settings s, NoiseSchedule noise, double[] timesteps) {
    super(s, noise, timesteps);
    this.finalAlphaCumprod = s.setAlphaToOne() ? 1.0f : noise.alphasCumprod[0];
  }

  /**
   * The scheduler after diffusers' set_timesteps(steps, strength=strength): strength below 1
   * (image-to-image) takes the steps from the first int(original·strength) distillation steps.
   */
  static LcmScheduler create(Settings s, int steps, double strength) {
    int original = s.originalInferenceSteps();
    int k = s.numTrainTimesteps() / original;
    int available = (int) (original * strength);
    if (available / steps < 1) {
      throw new BadRequestException(
          "lcm: "
              + steps
              + " steps need at least as many distillation steps, but original_inference_steps "
              + original
              + " × strength "
              + strength
              + " gives "
              + available
              + "; use at most "
              + available
              + " steps or a higher strength");
    }
    if (steps > original) {
      throw new BadRequestException(
          "lcm: expected at most original_inference_steps ("
              + original
              + ") steps, found "
              + steps);
    }
    // the distillation timesteps, newest first: available·k − 1, …, 2k − 1, k − 1
    double[] indices = Numerics.linspace(0, available, steps, false);
    double[] t = new double[steps];
    for (int i = 0; i < steps; i++) {
      int position = (int) Math.floor(indices[i]);
      t[i] = (double) (available - position) * k - 1;
    }
    return new LcmScheduler(s, new NoiseSchedule(s, false), t);
  }

  @Override
  float[] doStep(float[] modelOutput, int index, float[] sample, TorchGenerator generator) {
    int t = (int) timesteps[index];
    int prev = index + 1 < timesteps.length ? (int) timesteps[index + 1] : t;
    float at = noise.alphasCumprod[t];
    float aPrev = prev >= 0 ? noise.alphasCumprod[prev] : finalAlphaCumprod;
    float sa = Numerics.sqrt(at);
    float sb = Numerics.sqrt(1 - at);
    // boundary condition with sigma_data 0.5, timestep scaled in float32 as a torch tensor
    float scaled = (float) t * (float) settings.timestepScaling();
    float denominator = scaled * scaled + 0.25f;
    float cSkip = 0.25f / denominator;
    float cOut = scaled / Numerics.sqrt(denominator);
    float[] denoised = new float[sample.length];
    float range = (float) settings.clipSampleRange();
    for (int i = 0; i < sample.length; i++) {
      float x0 = x0FromOutput(settings.prediction(), sample[i], modelOutput[i], sa, sb);
      if (settings.clipSample()) {
        x0 = Math.min(Math.max(x0, -range), range);
      }
      denoised[i] = cOut * x0 + cSkip * sample[i];
    }
    if (index != timesteps.length - 1) {
      float[] fresh = require(generator, "lcm").randn(sample.length);
      float keep = Numerics.sqrt(aPrev);
      float add = Numerics.sqrt(1 - aPrev);
      for (int i = 0; i < sample.length; i++) {
        sample[i] = keep * denoised[i] + add * fresh[i];
      }
    } else {
      System.arraycopy(denoised, 0, sample, 0, sample.length);
    }
    return denoised;
  }

  @Override
  public float[] addNoise(float[] original, float[] noiseValues, int index) {
    return addNoiseAtTimestep(original, noiseValues, index);
  }
}

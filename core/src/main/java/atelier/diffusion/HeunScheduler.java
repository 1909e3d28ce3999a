package atelier.diffusion;

/**
 * diffusers' HeunDiscreteScheduler (Karras et al. 2022, Algorithm 1 without churn): each step is an
 * Euler step to the next sigma, then a second UNet call there whose slope is averaged with the
 * first, and the step is redone from the saved sample with the mean slope. The last step, to sigma
 * 0, is Euler only. As in diffusers, the timestep list holds one entry per UNet call: the first
 * timestep once, every later one twice (2·steps − 1 calls), and so do the sigmas. Sigma space as
 * Euler (spacing, Karras sigmas from the config). Stateful: call every index in order.
 */
final class HeunScheduler extends BaseScheduler {
  private final float[] sigmas;
  private float[] savedSample;
  private float[] firstDerivative;
  private float dt;

  private HeunScheduler(Settings s, NoiseSchedule noise, double[] timesteps, float[] sigmas) {
    super(s, noise, timesteps);
    this.sigmas = sigmas;
  }

  /** The scheduler after diffusers' set_timesteps(steps). */
  static HeunScheduler create(Settings s, int steps) {
    NoiseSchedule noise = new NoiseSchedule(s, true);
    double[][] schedule = EulerScheduler.sigmaSchedule(s, noise, steps, s.useKarrasSigmas());
    double[] t = schedule[0];
    double[] sigma = schedule[1];
    // cat([x[:1], x[1:].repeat_interleave(2)]) for the timesteps; the sigmas also end in 0
    double[] timesteps = new double[2 * steps - 1];
    float[] sigmas = new float[2 * steps];
    timesteps[0] = (float) t[0];
    sigmas[0] = (float) sigma[0];
    for (int i = 1; i < steps; i++) {
      timesteps[2 * i - 1] = (float) t[i];
      timesteps[2 * i] = (float) t[i];
      sigmas[2 * i - 1] = (float) sigma[i];
      sigmas[2 * i] = (float) sigma[i];
    }
    sigmas[2 * steps - 1] = 0f;
    return new HeunScheduler(s, noise, timesteps, sigmas);
  }

  @Override
  public int order() {
    return 2;
  }

  @Override
  public double initNoiseSigma() {
    return EulerScheduler.initNoiseSigma(settings, sigmas);
  }

  @Override
  public float[] scaleModelInput(float[] sample, int index) {
    checkIndex(index);
    return EulerScheduler.scaled(sample, sigmas[index]);
  }

  @Override
  float[] doStep(float[] modelOutput, int index, float[] sample, TorchGenerator generator) {
    boolean first = savedSample == null;
    float sigma = first ? sigmas[index] : sigmas[index - 1];
    float next = first ? sigmas[index + 1] : sigmas[index];
    float[] x0 =
        EulerScheduler.predictOriginal(
            settings.prediction(), modelOutput, sample, first ? sigma : next);
    if (settings.clipSample()) {
      float range = (float) settings.clipSampleRange();
      for (int i = 0; i < x0.length; i++) {
        x0[i] = Math.min(Math.max(x0[i], -range), range);
      }
    }
    if (first) {
      float[] derivative = new float[sample.length];
      dt = next - sigma;
      savedSample = sample.clone();
      for (int i = 0; i < sample.length; i++) {
        derivative[i] = (sample[i] - x0[i]) / sigma;
        sample[i] = sample[i] + derivative[i] * dt;
      }
      firstDerivative = derivative;
    } else {
      for (int i = 0; i < sample.length; i++) {
        float derivative = (sample[i] - x0[i]) / next;
        derivative = (firstDerivative[i] + derivative) / 2;
        sample[i] = savedSample[i] + derivative * dt;
      }
      savedSample = null;
      firstDerivative = null;
    }
    return x0;
  }

  @Override
  public float[] addNoise(float[] original, float[] noiseValues, int index) {
    checkIndex(index);
    return EulerScheduler.noised(original, noiseValues, sigmas[index]);
  }

  @Override
  float[] sigmas() {
    return sigmas.clone();
  }
}

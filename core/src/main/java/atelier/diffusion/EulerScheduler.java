package atelier.diffusion;

/**
 * diffusers' EulerDiscreteScheduler (Karras et al. 2022, Algorithm 2, without churn) and, with
 * {@code ancestral}, EulerAncestralDiscreteScheduler, which steps to sigma_down and adds
 * sigma_up·noise drawn from the generator at every step (the last one included, as diffusers does).
 * Works in sigma space: the sample is x0 + sigma·noise, the UNet sees it divided by sqrt(sigma² +
 * 1). Stateful, not thread-safe: one per image.
 */
final class EulerScheduler extends BaseScheduler {
  private final boolean ancestral;
  private final float[] sigmas;

  private EulerScheduler(
      Settings s, NoiseSchedule noise, double[] timesteps, float[] sigmas, boolean ancestral) {
    super(s, noise, timesteps);
    this.sigmas = sigmas;
    this.ancestral = ancestral;
  }

  /** The scheduler after diffusers' set_timesteps(steps). */
  static EulerScheduler create(Settings s, int steps, boolean ancestral) {
    NoiseSchedule noise = new NoiseSchedule(s, true);
    double[][] schedule = sigmaSchedule(s, noise, steps, !ancestral && s.useKarrasSigmas());
    double[] t = schedule[0];
    double[] sigma = schedule[1];
    float[] sigmas = new float[sigma.length + 1];
    for (int i = 0; i < sigma.length; i++) {
      sigmas[i] = (float) sigma[i];
    }
    sigmas[sigma.length] = !ancestral && s.finalSigmaMin() ? noise.sigmas[0] : 0f;
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) t[i]; // diffusers keeps Euler timesteps as float32
    }
    return new EulerScheduler(s, noise, t, sigmas, ancestral);
  }

  /**
   * The set_timesteps schedule the k-diffusion-style discrete schedulers share (Euler, Heun, LMS,
   * DPM2): spaced timesteps and their interpolated sigmas or, with {@code karras}, Karras sigmas
   * between the spaced ones' ends (or the config's sigma_min/sigma_max) and the fractional
   * timesteps they map back to. Float64, as numpy leaves them; no final sigma.
   *
   * @return {timesteps, sigmas}, one entry per step each
   */
  static double[][] sigmaSchedule(Settings s, NoiseSchedule noise, int steps, boolean karras) {
    double[] t = spacedTimesteps(s, steps, s.numTrainTimesteps());
    double[] sigma = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      sigma[i] = noise.interpolatedSigma(t[i]);
    }
    if (karras) {
      double min = s.sigmaMin() != null ? s.sigmaMin() : sigma[sigma.length - 1];
      double max = s.sigmaMax() != null ? s.sigmaMax() : sigma[0];
      sigma = Numerics.karras(min, max, steps);
      t = new double[steps];
      for (int i = 0; i < steps; i++) {
        t[i] = Numerics.sigmaToT(sigma[i], noise.logSigmas);
      }
    }
    return new double[][] {t, sigma};
  }

  /** The float timesteps of set_timesteps, before any Karras conversion. */
  static double[] spacedTimesteps(Settings s, int steps, int train) {
    double[] t;
    switch (s.spacing()) {
      case LINSPACE:
        t = Numerics.reversed(Numerics.linspace(0, train - 1, steps, true));
        for (int i = 0; i < steps; i++) {
          t[i] = (float) t[i];
        }
        return t;
      case LEADING:
        int ratio = train / steps;
        t = new double[steps];
        for (int i = 0; i < steps; i++) {
          t[i] = (double) (steps - 1 - i) * ratio + s.stepsOffset();
        }
        return t;
      case TRAILING:
        // Integers below 1000: float32 rounding, as diffusers does it, changes nothing.
        return Numerics.trailing(train, steps);
      default:
        throw new IllegalStateException("unhandled spacing " + s.spacing());
    }
  }

  @Override
  public double initNoiseSigma() {
    return initNoiseSigma(settings, sigmas);
  }

  /**
   * diffusers' init_noise_sigma of the sigma-space schedulers: the largest sigma for linspace or
   * trailing spacing, sqrt(max² + 1) for leading, in float32.
   */
  static double initNoiseSigma(Settings settings, float[] sigmas) {
    float max = 0;
    for (float sigma : sigmas) {
      max = Math.max(max, sigma);
    }
    return settings.spacing() == Settings.Spacing.LEADING ? Numerics.sqrt(max * max + 1) : max;
  }

  @Override
  public float[] scaleModelInput(float[] sample, int index) {
    checkIndex(index);
    return scaled(sample, sigmas[index]);
  }

  /** The UNet input at sigma: the sample divided by sqrt(sigma² + 1), in float32. */
  static float[] scaled(float[] sample, float sigma) {
    float scale = Numerics.sqrt(sigma * sigma + 1);
    float[] out = new float[sample.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = sample[i] / scale;
    }
    return out;
  }

  /** Noise at sigma: original + noise·sigma, as the sigma-space schedulers' add_noise. */
  static float[] noised(float[] original, float[] noiseValues, float sigma) {
    checkSameLength(original, noiseValues);
    float[] out = new float[original.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = original[i] + noiseValues[i] * sigma;
    }
    return out;
  }

  @Override
  float[] doStep(float[] modelOutput, int index, float[] sample, TorchGenerator generator) {
    float sigma = sigmas[index];
    float next = sigmas[index + 1];
    float[] x0 = predictOriginal(settings.prediction(), modelOutput, sample, sigma);
    float sigmaUp = 0;
    float dt;
    if (ancestral) {
      float up = next * next * (sigma * sigma - next * next) / (sigma * sigma);
      sigmaUp = Numerics.sqrt(up);
      float down = Numerics.sqrt(next * next - sigmaUp * sigmaUp);
      dt = down - sigma;
    } else {
      dt = next - sigma;
    }
    for (int i = 0; i < sample.length; i++) {
      float derivative = (sample[i] - x0[i]) / sigma;
      sample[i] = sample[i] + derivative * dt;
    }
    if (ancestral) {
      float[] fresh = require(generator, "euler-a").randn(sample.length);
      for (int i = 0; i < sample.length; i++) {
        sample[i] = sample[i] + fresh[i] * sigmaUp;
      }
    }
    return x0;
  }

  /** x0 from a model output at sigma, as Euler, Heun, LMS and DPM2 read epsilon/v/sample. */
  static float[] predictOriginal(
      Settings.Prediction prediction, float[] out, float[] sample, float sigma) {
    float[] x0 = new float[out.length];
    switch (prediction) {
      case EPSILON:
        for (int i = 0; i < x0.length; i++) {
          x0[i] = sample[i] - sigma * out[i];
        }
        break;
      case V_PREDICTION:
        float c = -sigma / Numerics.sqrt(sigma * sigma + 1);
        float d = sigma * sigma + 1;
        for (int i = 0; i < x0.length; i++) {
          x0[i] = out[i] * c + sample[i] / d;
        }
        break;
      case SAMPLE:
        System.arraycopy(out, 0, x0, 0, x0.length);
        break;
      default:
        throw new IllegalStateException("unhandled prediction " + prediction);
    }
    return x0;
  }

  @Override
  public float[] addNoise(float[] original, float[] noiseValues, int index) {
    checkIndex(index);
    return noised(original, noiseValues, sigmas[index]);
  }

  /** The float32 sigmas, one per timestep plus the final one (package-private, for tests). */
  @Override
  float[] sigmas() {
    return sigmas.clone();
  }
}

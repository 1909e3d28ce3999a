package atelier.diffusion;

/**
 * diffusers' DPMSolverMultistepScheduler as DPM++ 2M (Lu et al. 2022): algorithm dpmsolver++,
 * solver order 2 (midpoint, or heun when the config says so), optionally on Karras sigmas; for the
 * DPM++ 2M SDE kinds algorithm sde-dpmsolver++, which adds fresh noise from the generator at every
 * step (the sample's size in normals, drawn before the update as diffusers draws them). The first
 * step, and the last when lower_order_final applies or the final sigma is zero, is first order; the
 * others use the previous call's x0 too. Stateful (remembers the last x0): call every index in
 * order. DPM++ 2M needs no generator; the SDE kinds do.
 */
final class DpmSolverScheduler extends BaseScheduler {
  private final float[] sigmas;
  private final boolean sde;
  private float[] previousX0;
  private int lowerOrderNums;

  private DpmSolverScheduler(Settings s, NoiseSchedule noise, double[] t, float[] sigmas) {
    super(s, noise, t);
    this.sigmas = sigmas;
    this.sde =
        s.kind() == SchedulerKind.DPMPP_2M_SDE || s.kind() == SchedulerKind.DPMPP_2M_SDE_KARRAS;
  }

  static DpmSolverScheduler create(Settings s, int steps) {
    NoiseSchedule noise = new NoiseSchedule(s, true);
    int train = s.numTrainTimesteps();
    double[] t = timesteps(s, steps, train);
    double[] sigma;
    if (s.useKarrasSigmas()) {
      // diffusers takes the bounds from the whole training table here (Euler uses its spaced one)
      double min = s.sigmaMin() != null ? s.sigmaMin() : noise.sigmas[0];
      double max = s.sigmaMax() != null ? s.sigmaMax() : noise.sigmas[train - 1];
      sigma = Numerics.karras(min, max, steps);
      t = new double[steps];
      boolean round = s.betaSchedule() != Settings.BetaSchedule.SQUAREDCOS_CAP_V2;
      for (int i = 0; i < steps; i++) {
        double fractional = Numerics.sigmaToT(sigma[i], noise.logSigmas);
        // int64 conversion truncates when diffusers leaves the cosine schedule's t unrounded
        t[i] = round ? Numerics.round(fractional) : (long) fractional;
      }
    } else {
      sigma = new double[t.length];
      for (int i = 0; i < t.length; i++) {
        sigma[i] = noise.interpolatedSigma(t[i]);
      }
    }
    float[] sigmas = new float[sigma.length + 1];
    for (int i = 0; i < sigma.length; i++) {
      sigmas[i] = (float) sigma[i];
    }
    sigmas[sigma.length] = s.finalSigmaMin() ? noise.sigmas[0] : 0f;
    return new DpmSolverScheduler(s, noise, t, sigmas);
  }

  /** Whether two steps share a sigma: a zero-length solver step, which gives NaN (0/0). */
  boolean repeatsASigma() {
    for (int i = 0; i + 1 < timesteps.length; i++) {
      if (sigmas[i] == sigmas[i + 1]) {
        return true;
      }
    }
    return false;
  }

  /** DPM-Solver's (and UniPC's) integer timesteps for a spacing, before any Karras conversion. */
  static double[] timesteps(Settings s, int steps, int train) {
    double[] t;
    switch (s.spacing()) {
      case LINSPACE:
        double[] all = Numerics.reversed(Numerics.linspace(0, train - 1, steps + 1, true));
        t = new double[steps];
        for (int i = 0; i < steps; i++) {
          t[i] = Numerics.round(all[i]);
        }
        return t;
      case LEADING:
        int ratio = train / (steps + 1);
        t = new double[steps];
        for (int i = 0; i < steps; i++) {
          t[i] = (double) (steps - i) * ratio + s.stepsOffset();
        }
        return t;
      case TRAILING:
        return Numerics.trailing(train, steps);
      default:
        throw new IllegalStateException("unhandled spacing " + s.spacing());
    }
  }

  @Override
  float[] doStep(float[] modelOutput, int index, float[] sample, TorchGenerator generator) {
    int n = timesteps.length;
    boolean last = index == n - 1;
    boolean lowerOrderFinal =
        last
            && (settings.eulerAtFinal()
                || (settings.lowerOrderFinal() && n < 15)
                || !settings.finalSigmaMin());
    float[] x0 = dataPrediction(settings.prediction(), modelOutput, sample, sigmas[index]);
    float[] fresh = sde ? require(generator, settings.kind().cliName()).randn(sample.length) : null;

    float sigmaT = sigmas[index + 1];
    float alphaT = alpha(sigmaT);
    sigmaT = sigmaT * alphaT;
    float s0 = sigmas[index];
    float alphaS0 = alpha(s0);
    s0 = s0 * alphaS0;
    float lambdaT = log(alphaT) - log(sigmaT);
    float lambdaS0 = log(alphaS0) - log(s0);
    float h = lambdaT - lambdaS0;
    boolean firstOrder = lowerOrderNums < 1 || lowerOrderFinal;
    float d1Scale = 0;
    if (!firstOrder) {
      float s1 = sigmas[index - 1];
      float alphaS1 = alpha(s1);
      s1 = s1 * alphaS1;
      float lambdaS1 = log(alphaS1) - log(s1);
      float h0 = lambdaS0 - lambdaS1;
      float r0 = h0 / h;
      d1Scale = 1.0f / r0;
    }
    if (sde) {
      stepSde(sample, x0, fresh, firstOrder, d1Scale, alphaT, sigmaT, s0, h);
    } else {
      float expm = (float) Math.exp(-h) - 1.0f;
      float sampleCoeff = sigmaT / s0;
      float d0Coeff = alphaT * expm;
      if (firstOrder) {
        for (int i = 0; i < sample.length; i++) {
          sample[i] = sampleCoeff * sample[i] - d0Coeff * x0[i];
        }
      } else {
        float d1Coeff = settings.heunSolver() ? alphaT * (expm / h + 1.0f) : 0.5f * (alphaT * expm);
        for (int i = 0; i < sample.length; i++) {
          float d1 = d1Scale * (x0[i] - previousX0[i]);
          float x = sampleCoeff * sample[i] - d0Coeff * x0[i];
          sample[i] = settings.heunSolver() ? x + d1Coeff * d1 : x - d1Coeff * d1;
        }
      }
    }
    previousX0 = x0;
    if (lowerOrderNums < 2) {
      lowerOrderNums++;
    }
    return x0.clone();
  }

  /** sde-dpmsolver++: first order, or second order (midpoint or heun), plus the fresh noise. */
  private void stepSde(
      float[] sample,
      float[] x0,
      float[] fresh,
      boolean firstOrder,
      float d1Scale,
      float alphaT,
      float sigmaT,
      float s0,
      float h) {
    float decay = (float) Math.exp(-2.0f * h);
    float sampleCoeff = sigmaT / s0 * (float) Math.exp(-h);
    float d0Coeff = alphaT * (1 - decay);
    float noiseCoeff = sigmaT * Numerics.sqrt(1.0f - decay);
    float d1Coeff =
        settings.heunSolver()
            ? alphaT * ((1.0f - decay) / (-2.0f * h) + 1.0f)
            : 0.5f * (alphaT * (1 - decay));
    for (int i = 0; i < sample.length; i++) {
      float x = sampleCoeff * sample[i] + d0Coeff * x0[i];
      if (!firstOrder) {
        x = x + d1Coeff * (d1Scale * (x0[i] - previousX0[i]));
      }
      sample[i] = x + noiseCoeff * fresh[i];
    }
  }

  /**
   * dpmsolver++'s (and UniPC's) model-output conversion: the x0 prediction at sigma, a new array.
   */
  static float[] dataPrediction(
      Settings.Prediction prediction, float[] out, float[] sample, float sigma) {
    float alphaT = alpha(sigma);
    float sigmaT = sigma * alphaT;
    float[] x0 = new float[out.length];
    for (int i = 0; i < x0.length; i++) {
      x0[i] =
          switch (prediction) {
            case EPSILON -> (sample[i] - sigmaT * out[i]) / alphaT;
            case SAMPLE -> out[i];
            case V_PREDICTION -> alphaT * sample[i] - sigmaT * out[i];
          };
    }
    return x0;
  }

  /** alpha_t = 1 / sqrt(sigma² + 1), float32 (sigma_t is sigma·alpha_t). */
  private static float alpha(float sigma) {
    return 1.0f / Numerics.sqrt(sigma * sigma + 1);
  }

  private static float log(float x) {
    return (float) Math.log(x);
  }

  @Override
  public float[] addNoise(float[] original, float[] noiseValues, int index) {
    return noisedAt(this, original, noiseValues, sigmas[index], index);
  }

  /** add_noise in DPM-Solver's parametrisation: alpha_t·x + sigma_t·noise at sigma. */
  static float[] noisedAt(
      BaseScheduler scheduler, float[] original, float[] noiseValues, float sigma, int index) {
    scheduler.checkIndex(index);
    checkSameLength(original, noiseValues);
    float alphaT = alpha(sigma);
    float sigmaT = sigma * alphaT;
    float[] out = new float[original.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = alphaT * original[i] + sigmaT * noiseValues[i];
    }
    return out;
  }

  /** The float32 sigmas, one per timestep plus the final one (package-private, for tests). */
  @Override
  float[] sigmas() {
    return sigmas.clone();
  }
}

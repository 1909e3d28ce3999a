package atelier.diffusion;

/**
 * diffusers' DDIMScheduler (Song et al. 2020): integer timesteps, each step predicts x0 and moves
 * to the previous timestep {@code t − T/steps}; with eta &gt; 0 it adds eta·sigma_t·noise from the
 * generator. Stateless apart from the step order, so image-to-image may begin at any index.
 */
final class DdimScheduler extends BaseScheduler {
  private final float finalAlphaCumprod;
  private final float eta;
  private final int stepRatio;

  private DdimScheduler(Settings s, NoiseSchedule noise, double[] timesteps, int steps, float eta) {
    super(s, noise, timesteps);
    this.finalAlphaCumprod = s.setAlphaToOne() ? 1.0f : noise.alphasCumprod[0];
    this.eta = eta;
    this.stepRatio = s.numTrainTimesteps() / steps;
  }

  static DdimScheduler create(Settings s, int steps, double eta) {
    return new DdimScheduler(
        s, new NoiseSchedule(s, false), integerTimesteps(s, steps), steps, (float) eta);
  }

  /** The integer timesteps DDIM (and LCM-less PNDM-style spacing) use for {@code steps}. */
  static double[] integerTimesteps(Settings s, int steps) {
    int train = s.numTrainTimesteps();
    double[] t;
    switch (s.spacing()) {
      case LINSPACE:
        t = Numerics.reversed(Numerics.linspace(0, train - 1, steps, true));
        for (int i = 0; i < steps; i++) {
          t[i] = Numerics.round(t[i]);
        }
        return t;
      case LEADING:
        t = new double[steps];
        int ratio = train / steps;
        for (int i = 0; i < steps; i++) {
          t[i] = (double) (steps - 1 - i) * ratio + s.stepsOffset();
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
    int t = (int) timesteps[index];
    int prev = t - stepRatio;
    float at = noise.alphasCumprod[t];
    float aPrev = prev >= 0 ? noise.alphasCumprod[prev] : finalAlphaCumprod;
    float bt = 1 - at;
    float sa = Numerics.sqrt(at);
    float sb = Numerics.sqrt(bt);
    float[] x0 = new float[sample.length];
    float[] eps = new float[sample.length];
    Settings.Prediction p = settings.prediction();
    for (int i = 0; i < x0.length; i++) {
      float s = sample[i];
      float m = modelOutput[i];
      x0[i] = x0FromOutput(p, s, m, sa, sb);
      eps[i] =
          switch (p) {
            case EPSILON -> m;
            case SAMPLE -> (s - sa * m) / sb;
            case V_PREDICTION -> sa * m + sb * s;
          };
    }
    if (settings.clipSample()) {
      float range = (float) settings.clipSampleRange();
      for (int i = 0; i < x0.length; i++) {
        x0[i] = Math.min(Math.max(x0[i], -range), range);
      }
    }
    float variance = ((1 - aPrev) / bt) * (1 - at / aPrev);
    float std = eta * Numerics.sqrt(variance);
    float direction = Numerics.sqrt(1 - aPrev - std * std);
    float sqrtPrev = Numerics.sqrt(aPrev);
    for (int i = 0; i < sample.length; i++) {
      sample[i] = sqrtPrev * x0[i] + direction * eps[i];
    }
    if (eta > 0) {
      float[] fresh = require(generator, "ddim with eta > 0").randn(sample.length);
      for (int i = 0; i < sample.length; i++) {
        sample[i] = sample[i] + std * fresh[i];
      }
    }
    return x0;
  }

  @Override
  public float[] addNoise(float[] original, float[] noiseValues, int index) {
    return addNoiseAtTimestep(original, noiseValues, index);
  }
}

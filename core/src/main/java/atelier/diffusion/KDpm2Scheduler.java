package atelier.diffusion;

/**
 * diffusers' KDPM2DiscreteScheduler (k-diffusion's DPM-Solver-2 sampler, A1111's "DPM2"): each step
 * is an Euler step to the geometric midpoint of the two sigmas, a second UNet call there, and the
 * full step from the saved sample with the midpoint's slope; the last step, to sigma 0, is Euler
 * only. As in diffusers, the timestep list holds one entry per UNet call (each step's timestep
 * preceded by its midpoint's fractional one, 2·steps − 1 calls) and the sigmas are interleaved the
 * same way. Sigma space as Euler; the kind decides Karras sigmas, rounding their timesteps as
 * diffusers does. Stateful: call every index in order.
 */
final class KDpm2Scheduler extends BaseScheduler {
  private final float[] sigmas;
  private final float[] interpolated;
  private float[] savedSample;

  private KDpm2Scheduler(
      Settings s, NoiseSchedule noise, double[] t, float[] sigmas, float[] interpolated) {
    super(s, noise, t);
    this.sigmas = sigmas;
    this.interpolated = interpolated;
  }

  /** The scheduler after diffusers' set_timesteps(steps). */
  static KDpm2Scheduler create(Settings s, int steps) {
    NoiseSchedule noise = new NoiseSchedule(s, true);
    boolean karras = s.useKarrasSigmas();
    double[][] schedule = EulerScheduler.sigmaSchedule(s, noise, steps, karras);
    double[] t = schedule[0];
    float[] base = new float[steps + 1];
    for (int i = 0; i < steps; i++) {
      base[i] = (float) schedule[1][i];
      // Karras timesteps are rounded and stay float64; the others are float32
      t[i] = karras ? Numerics.round(t[i]) : (float) t[i];
    }
    base[steps] = 0f;
    // sigmas.log().lerp(sigmas.roll(1).log(), 0.5).exp(): the first is NaN (log 0 − log 0), as in
    // diffusers, and never used; the last is 0
    float[] midpoints = new float[steps + 1];
    for (int i = 0; i <= steps; i++) {
      float start = (float) Math.log(base[i]);
      float end = (float) Math.log(base[(i + steps) % (steps + 1)]);
      // torch's lerp for weight ≥ 0.5: end − (end − start)·(1 − weight)
      midpoints[i] = (float) Math.exp(end - (end - start) * 0.5f);
    }
    double[] timesteps = new double[2 * steps - 1];
    timesteps[0] = t[0];
    for (int i = 1; i < steps; i++) {
      // diffusers passes torch tensors here, so the whole interpolation is float32
      timesteps[2 * i - 1] = Numerics.sigmaToTFloat32(midpoints[i], noise.logSigmas);
      timesteps[2 * i] = t[i];
    }
    return new KDpm2Scheduler(s, noise, timesteps, interleave(base), interleave(midpoints));
  }

  /** cat([x[:1], x[1:].repeat_interleave(2), x[-1:]]). */
  private static float[] interleave(float[] x) {
    int n = x.length - 1;
    float[] out = new float[2 * n + 2];
    out[0] = x[0];
    for (int i = 1; i <= n; i++) {
      out[2 * i - 1] = x[i];
      out[2 * i] = x[i];
    }
    out[2 * n + 1] = x[n];
    return out;
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
    float sigma = savedSample == null ? sigmas[index] : interpolated[index];
    return EulerScheduler.scaled(sample, sigma);
  }

  @Override
  float[] doStep(float[] modelOutput, int index, float[] sample, TorchGenerator generator) {
    boolean first = savedSample == null;
    float sigma = first ? sigmas[index] : sigmas[index - 1];
    float mid = first ? interpolated[index + 1] : interpolated[index];
    float next = first ? sigmas[index + 1] : sigmas[index];
    float input = first ? sigma : mid;
    float[] x0 = EulerScheduler.predictOriginal(settings.prediction(), modelOutput, sample, input);
    if (first) {
      float dt = mid - sigma;
      savedSample = sample.clone();
      for (int i = 0; i < sample.length; i++) {
        float derivative = (sample[i] - x0[i]) / sigma;
        sample[i] = sample[i] + derivative * dt;
      }
    } else {
      float dt = next - sigma;
      for (int i = 0; i < sample.length; i++) {
        float derivative = (sample[i] - x0[i]) / mid;
        sample[i] = savedSample[i] + derivative * dt;
      }
      savedSample = null;
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

  /** The interleaved midpoint sigmas (diffusers' sigmas_interpol), for tests. */
  float[] interpolatedSigmas() {
    return interpolated.clone();
  }
}

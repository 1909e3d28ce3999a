package atelier.diffusion;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * diffusers' LMSDiscreteScheduler (k-diffusion's linear multistep sampler, A1111's "LMS"): each
 * step adds the last up to four slopes (sample − x0)/sigma, weighted by the integrals over the step
 * of their Lagrange basis polynomials in sigma. Sigma space as Euler; the kind decides Karras
 * sigmas (LMS takes their bounds from the spaced sigmas, never from the config). Stateful
 * (remembers the slopes): call every index in order.
 *
 * <p>diffusers integrates each basis polynomial with scipy's adaptive quadrature on a float32
 * integrand; here the polynomial (degree ≤ 3) is integrated exactly in float64 by 3-point
 * Gauss–Legendre. The coefficients agree to ~1e-7 of their size.
 */
final class LmsScheduler extends BaseScheduler {
  /** diffusers' step() default order, which its pipelines use. */
  private static final int ORDER = 4;

  private static final double[] GAUSS_NODES = {-Math.sqrt(0.6), 0, Math.sqrt(0.6)};
  private static final double[] GAUSS_WEIGHTS = {5.0 / 9, 8.0 / 9, 5.0 / 9};

  private final float[] sigmas;
  private final Deque<float[]> derivatives = new ArrayDeque<>();

  private LmsScheduler(Settings s, NoiseSchedule noise, double[] t, float[] sigmas) {
    super(s, noise, t);
    this.sigmas = sigmas;
  }

  /** The scheduler after diffusers' set_timesteps(steps). */
  static LmsScheduler create(Settings s, int steps) {
    NoiseSchedule noise = new NoiseSchedule(s, true);
    double[][] schedule = EulerScheduler.sigmaSchedule(s, noise, steps, s.useKarrasSigmas());
    double[] t = schedule[0];
    float[] sigmas = new float[steps + 1];
    for (int i = 0; i < steps; i++) {
      t[i] = (float) t[i];
      sigmas[i] = (float) schedule[1][i];
    }
    sigmas[steps] = 0f;
    return new LmsScheduler(s, noise, t, sigmas);
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
    float sigma = sigmas[index];
    float[] x0 = EulerScheduler.predictOriginal(settings.prediction(), modelOutput, sample, sigma);
    float[] derivative = new float[sample.length];
    for (int i = 0; i < sample.length; i++) {
      derivative[i] = (sample[i] - x0[i]) / sigma;
    }
    derivatives.addFirst(derivative); // newest first, as reversed(self.derivatives)
    if (derivatives.size() > ORDER) {
      derivatives.removeLast();
    }
    // diffusers takes the order from the step index, not from how many slopes it has: an
    // image-to-image run's first step integrates a higher-order basis polynomial and uses only
    // its first coefficient (zip stops at the shorter list)
    int order = Math.min(index + 1, ORDER);
    List<float[]> used = new ArrayList<>(derivatives);
    int terms = Math.min(order, used.size());
    float[] coefficients = new float[terms];
    for (int k = 0; k < terms; k++) {
      coefficients[k] = (float) coefficient(order, index, k);
    }
    for (int i = 0; i < sample.length; i++) {
      float sum = 0;
      for (int k = 0; k < terms; k++) {
        sum += coefficients[k] * used.get(k)[i];
      }
      sample[i] = sample[i] + sum;
    }
    return x0;
  }

  /**
   * diffusers' get_lms_coefficient: the integral from sigmas[t] to sigmas[t+1] of the Lagrange
   * basis polynomial that is 1 at sigmas[t − current] and 0 at the other sigmas[t − k], k < order.
   */
  private double coefficient(int order, int t, int current) {
    double from = sigmas[t];
    double to = sigmas[t + 1];
    double half = (to - from) / 2;
    double middle = (to + from) / 2;
    double sum = 0;
    for (int g = 0; g < GAUSS_NODES.length; g++) {
      double tau = middle + half * GAUSS_NODES[g];
      double product = 1;
      for (int k = 0; k < order; k++) {
        if (k != current) {
          product *= (tau - sigmas[t - k]) / ((double) sigmas[t - current] - sigmas[t - k]);
        }
      }
      sum += GAUSS_WEIGHTS[g] * product;
    }
    return sum * half;
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

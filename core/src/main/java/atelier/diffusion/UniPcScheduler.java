package atelier.diffusion;

/**
 * diffusers' UniPCMultistepScheduler (Zhao et al. 2023) as Stable Diffusion pipelines use it:
 * predict x0, solver order 2, B(h) of type bh2 (or bh1 when the config says so), the corrector on
 * every step after the first (UniC, using this call's model output to refine the previous step's
 * result), lower order on the last step when lower_order_final. Timesteps and sigmas as DPM-Solver
 * (DPM++ 2M). Stateful (remembers the last two x0 and the last sample): call every index in order.
 * Stateless noise: no generator needed.
 */
final class UniPcScheduler extends BaseScheduler {
  private final float[] sigmas;
  private float[] previousX0;
  private float[] olderX0;
  private float[] lastSample;
  private int lowerOrderNums;
  private int thisOrder;

  private UniPcScheduler(Settings s, NoiseSchedule noise, double[] t, float[] sigmas) {
    super(s, noise, t);
    this.sigmas = sigmas;
  }

  /** The scheduler after diffusers' set_timesteps(steps). */
  static UniPcScheduler create(Settings s, int steps) {
    NoiseSchedule noise = new NoiseSchedule(s, true);
    double[] t = DpmSolverScheduler.timesteps(s, steps, s.numTrainTimesteps());
    float[] sigmas = new float[t.length + 1];
    for (int i = 0; i < t.length; i++) {
      sigmas[i] = (float) noise.interpolatedSigma(t[i]);
    }
    sigmas[t.length] = s.finalSigmaMin() ? noise.sigmas[0] : 0f;
    return new UniPcScheduler(s, noise, t, sigmas);
  }

  /** Whether two steps share a sigma: a zero-length step, which gives NaN (0/0). */
  boolean repeatsASigma() {
    for (int i = 0; i + 1 < timesteps.length; i++) {
      if (sigmas[i] == sigmas[i + 1]) {
        return true;
      }
    }
    return false;
  }

  @Override
  float[] doStep(float[] modelOutput, int index, float[] sample, TorchGenerator generator) {
    float[] x0 =
        DpmSolverScheduler.dataPrediction(
            settings.prediction(), modelOutput, sample, sigmas[index]);
    if (index > 0 && lastSample != null) {
      correct(x0, index, sample);
    }
    olderX0 = previousX0;
    previousX0 = x0;
    int order = settings.lowerOrderFinal() ? Math.min(2, timesteps.length - index) : 2;
    thisOrder = Math.min(order, lowerOrderNums + 1);
    lastSample = sample.clone();
    predict(index, sample, thisOrder);
    if (lowerOrderNums < 2) {
      lowerOrderNums++;
    }
    return x0.clone();
  }

  /** multistep_uni_p_bh_update: the predictor from sigmas[index] to sigmas[index + 1]. */
  private void predict(int index, float[] x, int order) {
    Lambdas l = new Lambdas(sigmas[index + 1], sigmas[index]);
    float[] m0 = previousX0;
    float rk = order == 2 ? (lambda(sigmas[index - 1]) - l.lambdaS0) / l.h : 0;
    float sampleCoeff = l.sigmaT / l.sigmaS0;
    float m0Coeff = l.alphaT * l.hPhi1;
    float resCoeff = l.alphaT * l.bh;
    for (int i = 0; i < x.length; i++) {
      float xt = sampleCoeff * x[i] - m0Coeff * m0[i];
      if (order == 2) {
        float d1 = (olderX0[i] - m0[i]) / rk;
        xt = xt - resCoeff * (0.5f * d1);
      } else {
        xt = xt - resCoeff * 0f;
      }
      x[i] = xt;
    }
  }

  /**
   * multistep_uni_c_bh_update: redoes the step from sigmas[index − 1] to sigmas[index] from the
   * sample it started at, with this call's x0 too; replaces {@code sample} with the result.
   */
  private void correct(float[] modelT, int index, float[] sample) {
    Lambdas l = new Lambdas(sigmas[index], sigmas[index - 1]);
    float[] m0 = previousX0;
    float rho0 = 0;
    float rhoT = 0.5f;
    float rk = 0;
    if (thisOrder == 2) {
      rk = (lambda(sigmas[index - 2]) - l.lambdaS0) / l.h;
      // b_i = h_phi_k·i!/B(h), h_phi_k = h_phi_(k−1)/hh − 1/(i+1)!, then solve R·rho = b with
      // R = [[1, 1], [rk, 1]] as LAPACK does (LU with partial pivoting, float32)
      float hh = -l.h;
      float phi = l.hPhi1 / hh - 1;
      float b0 = phi * 1 / l.bh;
      phi = phi / hh - 0.5f;
      float b1 = phi * 2 / l.bh;
      float[] rho = solve2(1, 1, rk, 1, b0, b1);
      rho0 = rho[0];
      rhoT = rho[1];
    }
    float sampleCoeff = l.sigmaT / l.sigmaS0;
    float m0Coeff = l.alphaT * l.hPhi1;
    float resCoeff = l.alphaT * l.bh;
    for (int i = 0; i < sample.length; i++) {
      float xt = sampleCoeff * lastSample[i] - m0Coeff * m0[i];
      float d1t = modelT[i] - m0[i];
      float corr = thisOrder == 2 ? rho0 * ((olderX0[i] - m0[i]) / rk) : 0f;
      sample[i] = xt - resCoeff * (corr + rhoT * d1t);
    }
  }

  /** Solves [[a, b], [c, d]]·x = [e, f] by LU with partial pivoting, as sgesv. */
  private static float[] solve2(float a, float b, float c, float d, float e, float f) {
    if (Math.abs(c) > Math.abs(a)) {
      float l = a * (1 / c);
      float u = b - l * d;
      float y = e - l * f;
      float x1 = y / u;
      return new float[] {(f - d * x1) / c, x1};
    }
    float l = c * (1 / a);
    float u = d - l * b;
    float y = f - l * e;
    float x1 = y / u;
    return new float[] {(e - b * x1) / a, x1};
  }

  /** lambda = log(alpha_t) − log(sigma_t) at a sigma, float32. */
  private static float lambda(float sigma) {
    float alpha = 1.0f / Numerics.sqrt(sigma * sigma + 1);
    return (float) Math.log(alpha) - (float) Math.log(sigma * alpha);
  }

  /** The step's alphas, sigmas, log-SNR difference h and the phi/B(h) factors, float32. */
  private final class Lambdas {
    final float alphaT;
    final float sigmaT;
    final float sigmaS0;
    final float lambdaS0;
    final float h;
    final float hPhi1;
    final float bh;

    Lambdas(float t, float s0) {
      alphaT = 1.0f / Numerics.sqrt(t * t + 1);
      sigmaT = t * alphaT;
      float alphaS0 = 1.0f / Numerics.sqrt(s0 * s0 + 1);
      sigmaS0 = s0 * alphaS0;
      float lambdaT = (float) Math.log(alphaT) - (float) Math.log(sigmaT);
      lambdaS0 = (float) Math.log(alphaS0) - (float) Math.log(sigmaS0);
      h = lambdaT - lambdaS0;
      float hh = -h;
      hPhi1 = (float) Math.expm1(hh);
      bh = settings.bh1Solver() ? hh : hPhi1;
    }
  }

  @Override
  public float[] addNoise(float[] original, float[] noiseValues, int index) {
    return DpmSolverScheduler.noisedAt(this, original, noiseValues, sigmas[index], index);
  }

  @Override
  float[] sigmas() {
    return sigmas.clone();
  }
}

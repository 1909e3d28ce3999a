package atelier.diffusion;

/**
 * The training noise schedule of a scheduler: betas and their cumulative alpha products, in float32
 * as diffusers computes them with torch, and the Karras-style sigmas derived from them. Immutable
 * after construction; the arrays are never handed out.
 */
final class NoiseSchedule {
  /** alphas_cumprod[t] = prod(1 − beta_i, i ≤ t), float32. */
  final float[] alphasCumprod;

  /** sigma(t) = sqrt((1 − alphas_cumprod[t]) / alphas_cumprod[t]), ascending in t, float32. */
  final float[] sigmas;

  /** log(sigmas), float32 (numpy's log of the float32 table). */
  final float[] logSigmas;

  /**
   * Builds the schedule.
   *
   * @param terminalFix whether the class sets alphas_cumprod[-1] = 2^-24 after zero-SNR rescaling
   *     (Euler, Euler ancestral and DPM-Solver do, so the last sigma stays finite; DDIM and LCM do
   *     not)
   */
  NoiseSchedule(Settings s, boolean terminalFix) {
    float[] betas = betas(s);
    if (s.rescaleBetasZeroSnr()) {
      betas = rescaleZeroTerminalSnr(betas);
    }
    float[] alphas = new float[betas.length];
    for (int i = 0; i < betas.length; i++) {
      alphas[i] = 1.0f - betas[i];
    }
    alphasCumprod = Numerics.cumprod(alphas);
    if (s.rescaleBetasZeroSnr() && terminalFix) {
      alphasCumprod[alphasCumprod.length - 1] = 0x1p-24f;
    }
    sigmas = new float[alphasCumprod.length];
    logSigmas = new float[alphasCumprod.length];
    for (int i = 0; i < sigmas.length; i++) {
      float ac = alphasCumprod[i];
      sigmas[i] = Numerics.sqrt((1 - ac) / ac);
      logSigmas[i] = (float) Math.log(sigmas[i]);
    }
  }

  int size() {
    return alphasCumprod.length;
  }

  /** The float32 sigma for a (possibly fractional) timestep, by numpy.interp on the table. */
  double interpolatedSigma(double t) {
    return Numerics.interp(t, sigmas);
  }

  static float[] betas(Settings s) {
    if (s.trainedBetas() != null) {
      return s.trainedBetas().clone();
    }
    int n = s.numTrainTimesteps();
    switch (s.betaSchedule()) {
      case LINEAR:
        return Numerics.torchLinspace((float) s.betaStart(), (float) s.betaEnd(), n);
      case SCALED_LINEAR:
        float[] roots =
            Numerics.torchLinspace(
                (float) Math.sqrt(s.betaStart()), (float) Math.sqrt(s.betaEnd()), n);
        for (int i = 0; i < n; i++) {
          roots[i] = roots[i] * roots[i];
        }
        return roots;
      case SQUAREDCOS_CAP_V2:
        return cosineBetas(n);
      default:
        throw new IllegalStateException("unhandled beta schedule " + s.betaSchedule());
    }
  }

  /** diffusers' betas_for_alpha_bar with the cosine alpha-bar of Nichol & Dhariwal, max 0.999. */
  private static float[] cosineBetas(int n) {
    float[] betas = new float[n];
    for (int i = 0; i < n; i++) {
      double t1 = (double) i / n;
      double t2 = (double) (i + 1) / n;
      betas[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
    }
    return betas;
  }

  private static double alphaBar(double t) {
    double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
    return c * c;
  }

  /**
   * diffusers' rescale_zero_terminal_snr (Lin et al. 2023, Algorithm 1), in float32: shift and
   * scale sqrt(alphas_cumprod) so the last is 0 and the first unchanged, then back to betas.
   */
  static float[] rescaleZeroTerminalSnr(float[] betas) {
    int n = betas.length;
    float[] alphas = new float[n];
    for (int i = 0; i < n; i++) {
      alphas[i] = 1.0f - betas[i];
    }
    float[] root = Numerics.cumprod(alphas);
    for (int i = 0; i < n; i++) {
      root[i] = Numerics.sqrt(root[i]);
    }
    float first = root[0];
    float last = root[n - 1];
    float scale = first / (first - last);
    float[] bar = new float[n];
    for (int i = 0; i < n; i++) {
      float shifted = (root[i] - last) * scale;
      bar[i] = shifted * shifted;
    }
    float[] out = new float[n];
    out[0] = 1 - bar[0];
    for (int i = 1; i < n; i++) {
      out[i] = 1 - bar[i] / bar[i - 1];
    }
    return out;
  }
}

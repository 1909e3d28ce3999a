package atelier.diffusion;

/**
 * The few torch and numpy routines diffusers' schedulers build their tables with, reproduced with
 * the same precision and rounding so timesteps and sigmas come out as in Python. Stateless.
 */
final class Numerics {
  private Numerics() {}

  /**
   * {@code torch.linspace(start, end, steps, dtype=float32)} on the CPU as x86 builds of torch run
   * it: the AVX2 kernel computes 8 lanes at a time from a base value ({@code start + step·i} below
   * the halfway index, {@code end − step·(steps−i−1)} above it), pairs of 8-lane vectors per loop
   * turn, the remainder one by one, and the compiler fuses each multiply-add. Other builds differ
   * in the last bit of a few values.
   */
  static float[] torchLinspace(float start, float end, int steps) {
    float[] out = new float[steps];
    if (steps == 1) {
      out[0] = start;
      return out;
    }
    float step = (end - start) / (steps - 1);
    int i = 0;
    for (; i + 16 <= steps; i += 16) {
      for (int base = i; base < i + 16; base += 8) {
        float first = linspaceValue(start, end, step, steps, base);
        for (int lane = 0; lane < 8; lane++) {
          out[base + lane] = Math.fma((float) lane, step, first);
        }
      }
    }
    for (; i < steps; i++) {
      out[i] = linspaceValue(start, end, step, steps, i);
    }
    return out;
  }

  private static float linspaceValue(float start, float end, float step, int steps, int index) {
    return index < steps / 2
        ? Math.fma(step, (float) index, start)
        : Math.fma(-step, (float) (steps - index - 1), end);
  }

  /** {@code torch.cumprod} of a float32 tensor on the CPU: the running product is a double. */
  static float[] cumprod(float[] values) {
    float[] out = new float[values.length];
    double product = 1;
    for (int i = 0; i < values.length; i++) {
      product *= values[i];
      out[i] = (float) product;
    }
    return out;
  }

  /** {@code numpy.linspace(start, stop, num, endpoint)} in float64. */
  static double[] linspace(double start, double stop, int num, boolean endpoint) {
    double[] out = new double[num];
    int div = endpoint ? num - 1 : num;
    double delta = stop - start;
    double step = div > 0 ? delta / div : Double.NaN;
    for (int i = 0; i < num; i++) {
      out[i] = (div > 0 ? (step == 0 ? i / (double) div * delta : i * step) : i * delta) + start;
    }
    if (endpoint && num > 1) {
      out[num - 1] = stop;
    }
    return out;
  }

  /**
   * {@code numpy.arange(start, stop, step)} in float64: the length is ceil((stop−start)/step), the
   * second value is start+step, and later ones are start + i·(second − start).
   */
  static double[] arange(double start, double stop, double step) {
    double length = Math.ceil((stop - start) / step);
    if (!(length > 0)) {
      return new double[0];
    }
    double[] out = new double[(int) length];
    out[0] = start;
    if (out.length > 1) {
      out[1] = start + step;
      double delta = out[1] - start;
      for (int i = 2; i < out.length; i++) {
        out[i] = start + i * delta;
      }
    }
    return out;
  }

  /** {@code numpy.interp(x, arange(len(fp)), fp)} with float32 table values, in float64. */
  static double interp(double x, float[] fp) {
    int last = fp.length - 1;
    if (x <= 0) {
      return fp[0];
    }
    if (x >= last) {
      return fp[last];
    }
    int j = (int) Math.floor(x);
    if (x == j) {
      return fp[j];
    }
    double slope = ((double) fp[j + 1] - fp[j]) / 1.0;
    return slope * (x - j) + fp[j];
  }

  /**
   * diffusers' {@code _sigma_to_t}: the fractional training timestep whose log-sigma matches, by
   * linear interpolation in a float32 table of log-sigmas. Under numpy 1.x the float64 log-sigma
   * scalar meets float32 arrays, so the comparison and the weight are float32 and only the final
   * blend is float64 (numpy 2 keeps the weight in float64; the timesteps then differ by ~1e-5).
   */
  static double sigmaToT(double sigma, float[] logSigmas) {
    int low = sigmaToTLow(sigma, logSigmas);
    float w = sigmaToTWeight(sigma, logSigmas, low);
    float keep = 1 - w;
    return (double) keep * low + (double) w * (low + 1);
  }

  /**
   * {@link #sigmaToT} when diffusers hands it torch tensors (KDPM2's midpoint sigmas and its tensor
   * of log-sigmas): the same comparison and weight, and the blend in float32 too.
   */
  static float sigmaToTFloat32(double sigma, float[] logSigmas) {
    int low = sigmaToTLow(sigma, logSigmas);
    float w = sigmaToTWeight(sigma, logSigmas, low);
    return (1 - w) * (float) low + w * (float) (low + 1);
  }

  private static int sigmaToTLow(double sigma, float[] logSigmas) {
    float logSigma = (float) Math.log(Math.max(sigma, 1e-10));
    int low = 0;
    for (int k = 0; k < logSigmas.length; k++) {
      if (logSigma - logSigmas[k] >= 0) {
        low = k; // argmax of the cumulative count: the last index where the test holds
      }
    }
    return Math.min(low, logSigmas.length - 2);
  }

  private static float sigmaToTWeight(double sigma, float[] logSigmas, int low) {
    float logSigma = (float) Math.log(Math.max(sigma, 1e-10));
    float w = (logSigmas[low] - logSigma) / (logSigmas[low] - logSigmas[low + 1]);
    return Math.min(Math.max(w, 0f), 1f);
  }

  /** Karras et al. (2022) sigmas, rho 7, from sigmaMax down to sigmaMin, in float64. */
  static double[] karras(double sigmaMin, double sigmaMax, int n) {
    double rho = 7.0;
    double[] ramp = linspace(0, 1, n, true);
    double minInvRho = Math.pow(sigmaMin, 1 / rho);
    double maxInvRho = Math.pow(sigmaMax, 1 / rho);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
    }
    return out;
  }

  /** {@code numpy.round}: halves go to the even neighbour. */
  static double round(double x) {
    return Math.rint(x);
  }

  /** A float32 square root, as torch's {@code ** 0.5} and {@code sqrt} on float32 give it. */
  static float sqrt(float x) {
    return (float) Math.sqrt(x);
  }

  /** Values in reverse order (a new array). */
  /**
   * The "trailing" timestep spacing every diffusers scheduler shares: {@code round(arange(train, 0,
   * -train/steps)) - 1}, from high to low.
   */
  static double[] trailing(int train, int steps) {
    double[] t = arange(train, 0, -((double) train / steps));
    for (int i = 0; i < t.length; i++) {
      t[i] = round(t[i]) - 1;
    }
    return t;
  }

  static double[] reversed(double[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[values.length - 1 - i];
    }
    return out;
  }
}

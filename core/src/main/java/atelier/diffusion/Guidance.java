package atelier.diffusion;

/**
 * Classifier-free guidance and its composable form. With one prompt of weight 1 this is diffusers'
 * {@code uncond + g·(cond − uncond)}; with several weighted prompts it is A1111's composable
 * diffusion, {@code uncond + g·Σ wᵢ·(condᵢ − uncond)}, where a negative weight pushes away from its
 * prompt. Without an unconditional prediction (guidance off) the result is the weight-normalised
 * mix {@code Σ wᵢ·condᵢ / Σ wᵢ}. Stateless.
 */
public final class Guidance {
  private Guidance() {}

  /**
   * Combines predictions of one image.
   *
   * @param uncond the unconditional (negative-prompt) prediction, or null when guidance is off
   * @param conds one prediction per prompt
   * @param weights one weight per prompt
   * @param scale the guidance scale g (ignored when {@code uncond} is null)
   * @return a new array
   */
  public static float[] combine(float[] uncond, float[][] conds, double[] weights, double scale) {
    if (conds.length == 0 || conds.length != weights.length) {
      throw new IllegalArgumentException(
          "guidance: expected one weight per prediction (at least one), found "
              + conds.length
              + " predictions and "
              + weights.length
              + " weights");
    }
    int n = conds[0].length;
    float[] out = new float[n];
    if (uncond == null) {
      if (conds.length == 1) {
        System.arraycopy(conds[0], 0, out, 0, n);
        return out;
      }
      double sum = 0;
      for (double w : weights) {
        sum += w;
      }
      if (Math.abs(sum) < 1e-9) {
        throw new IllegalArgumentException(
            "guidance: prompt weights must not sum to 0 without guidance, found " + sum);
      }
      for (int p = 0; p < conds.length; p++) {
        float w = (float) (weights[p] / sum);
        float[] c = conds[p];
        for (int i = 0; i < n; i++) {
          out[i] += w * c[i];
        }
      }
      return out;
    }
    if (conds.length == 1 && weights[0] == 1.0) {
      // Exactly diffusers' float32 expression: uncond + g * (cond - uncond).
      float g = (float) scale;
      float[] c = conds[0];
      for (int i = 0; i < n; i++) {
        out[i] = uncond[i] + g * (c[i] - uncond[i]);
      }
      return out;
    }
    float[] delta = new float[n];
    for (int p = 0; p < conds.length; p++) {
      float w = (float) weights[p];
      float[] c = conds[p];
      for (int i = 0; i < n; i++) {
        delta[i] += w * (c[i] - uncond[i]);
      }
    }
    float g = (float) scale;
    for (int i = 0; i < n; i++) {
      out[i] = uncond[i] + g * delta[i];
    }
    return out;
  }
}

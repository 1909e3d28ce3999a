package atelier.diffusion;

/**
 * The deterministic stand-in for a UNet used by tools/diffusion/scheduler_reference.py (its
 * dummy_model and pattern functions), rebuilt here with the same float32 operations in the same
 * order: {@code out = sample·(t/(t+1))·0.9 + bias}, {@code bias[k] = ((k mod 7) − 3)·0.05}.
 */
final class DummyModel {
  private DummyModel() {}

  static float[] apply(float[] sample, double timestep) {
    float t = (float) timestep;
    float a = t / (t + 1);
    float[] bias = pattern(sample.length, 7, 3, 0.05f);
    float[] out = new float[sample.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = sample[i] * a * 0.9f + bias[i];
    }
    return out;
  }

  /** ((k mod modulus) − offset)·scale in float32, as the script's pattern(). */
  static float[] pattern(int n, int modulus, int offset, float scale) {
    float[] out = new float[n];
    for (int k = 0; k < n; k++) {
      out[k] = (float) ((k % modulus) - offset) * scale;
    }
    return out;
  }
}

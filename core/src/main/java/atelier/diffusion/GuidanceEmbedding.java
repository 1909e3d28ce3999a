package atelier.diffusion;

/**
 * The guidance-scale embedding LCM UNets take as {@code timestep_cond}: diffusers' {@code
 * get_guidance_scale_embedding(w, dim)} with {@code w} scaled by 1000, sin ‖ cos of {@code
 * w·exp(−i·ln(10000)/(dim/2 − 1))}. Computed in float32 as diffusers does. Stateless.
 */
public final class GuidanceEmbedding {
  private GuidanceEmbedding() {}

  /**
   * The embedding of one guidance value.
   *
   * @param w the guidance value (LCM pipelines pass {@code guidance_scale − 1})
   * @param dim embedding size (256 for LCM Dreamshaper)
   */
  public static float[] of(double w, int dim) {
    if (dim < 4) {
      throw new IllegalArgumentException("embedding size: expected at least 4, found " + dim);
    }
    float scaled = (float) w * 1000f;
    int half = dim / 2;
    float step = (float) Math.log(10000.0) / (half - 1);
    float[] out = new float[dim];
    for (int i = 0; i < half; i++) {
      float freq = (float) Math.exp(i * -step);
      float arg = scaled * freq;
      out[i] = (float) Math.sin(arg);
      out[half + i] = (float) Math.cos(arg);
    }
    return out;
  }
}

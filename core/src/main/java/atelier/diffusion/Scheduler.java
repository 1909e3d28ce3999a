package atelier.diffusion;

/**
 * One sampler's state for one image: the timesteps it visits and how a model output moves the
 * latents from one timestep to the next. Mirrors diffusers' scheduler API (set_timesteps,
 * timesteps, init_noise_sigma, scale_model_input, step, add_noise, set_begin_index); make one with
 * {@link Schedulers#create}, which has already done set_timesteps.
 *
 * <p>A sampling loop: for {@code i} from {@link #beginIndex()} to {@code timesteps().length − 1},
 * feed the UNet {@link #scaleModelInput}{@code (latents, i)} at timestep {@code timesteps()[i]},
 * apply guidance, then call {@link #step}{@code (output, i, latents, generator)}. Indices are
 * positions in {@link #timesteps()}, not timestep values.
 *
 * <p>Stateful and not thread-safe: make one per image per run (multistep samplers remember earlier
 * model outputs, so {@link #step} must be called once per index, in order, from the begin index).
 * Arrays are one image's latents, {@code channels·height·width} floats in NCHW order, float32
 * arithmetic as diffusers does it; methods never keep references to arrays passed in.
 */
public interface Scheduler {

  /**
   * The model timesteps, one per UNet call, in the order they are used (a copy). Integer-valued
   * except Euler's, which may be fractional (linspace spacing, Karras sigmas): feed a float
   * timestep input as is, and round only where the UNet takes int64. PNDM lists one more entry than
   * its step count (its first PLMS step takes two calls); Heun and DPM2 list 2·steps − 1 (two calls
   * per step, the last step one).
   */
  double[] timesteps();

  /**
   * diffusers' {@code order}: how many entries of {@link #timesteps()} (UNet calls) one denoising
   * step takes, 2 for Heun and DPM2, else 1. Image-to-image skips whole steps, so its begin index
   * is a multiple of it. The sampling loop still makes one call per timestep entry.
   */
  default int order() {
    return 1;
  }

  /**
   * Where sampling starts: 0 for text-to-image; for image-to-image, the index {@link Schedulers}
   * set from the strength, or what {@link #setBeginIndex} set.
   */
  int beginIndex();

  /**
   * Starts sampling at call {@code index} of {@link #timesteps()} (diffusers' set_begin_index).
   *
   * @throws IllegalStateException once {@link #step} has been called
   */
  void setBeginIndex(int index);

  /**
   * The standard deviation of the starting noise for text-to-image (diffusers' init_noise_sigma): 1
   * for DDIM, DPM++, LCM and PNDM; the largest sigma for Euler with linspace or trailing spacing,
   * sqrt(sigma_max² + 1) with leading spacing. A float32 value: multiply the noise by {@code
   * (float) initNoiseSigma()} in float.
   */
  double initNoiseSigma();

  /**
   * The UNet input for call {@code index}: the sample scaled as the sampler needs (Euler divides by
   * sqrt(sigma²+1)); a new array, or {@code sample} itself when no scaling applies.
   */
  float[] scaleModelInput(float[] sample, int index);

  /**
   * Advances {@code sample} in place from call {@code index} to the next, given the (guided) model
   * output at that call. Euler ancestral, DPM++ 2M SDE, LCM (every step but the last) and DDIM with
   * eta &gt; 0 draw {@code sample.length} fresh normals from {@code generator}, as diffusers draws
   * a tensor of the sample's shape; the others ignore it (it may then be null).
   *
   * @return the model's current estimate of the clean sample (x0), a new array: diffusers'
   *     pred_original_sample (Euler, DDIM, Heun, LMS, DPM2), the converted model output (DPM++,
   *     UniPC), LCM's denoised (which LCM pipelines decode after the last step); for PNDM, which
   *     has none in diffusers, the x0 implied by this call's model output
   * @throws IllegalStateException if {@code index} is not the next one to step
   */
  float[] step(float[] modelOutput, int index, float[] sample, TorchGenerator generator);

  /**
   * Noises a clean sample to the level of call {@code index} (image-to-image start), returning a
   * new array: diffusers' add_noise with timesteps[index] (sqrt(ᾱ)·x + sqrt(1−ᾱ)·noise, or x +
   * sigma·noise for Euler, alpha_t·x + sigma_t·noise for DPM++).
   */
  float[] addNoise(float[] original, float[] noise, int index);
}

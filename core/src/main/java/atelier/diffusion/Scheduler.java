package atelier.diffusion;

/**
 * One sampler's state for one image: the timesteps it visits and how a model output moves the
 * latents from one timestep to the next. Mirrors diffusers' scheduler API (set_timesteps,
 * timesteps, init_noise_sigma, scale_model_input, step, add_noise, set_begin_index).
 *
 * <p>Stateful and not thread-safe: make one per image per run (multistep samplers remember earlier
 * model outputs). Arrays are one image's latents, {@code channels·height·width} floats in NCHW
 * order; methods never keep references to arrays passed in.
 */
public interface Scheduler {

  /**
   * The model timesteps, one per UNet call, in the order they are used. For image-to-image the loop
   * starts at {@link #beginIndex()} rather than 0.
   */
  double[] timesteps();

  /** Number of UNet calls per denoising step (1 for all current samplers). */
  default int order() {
    return 1;
  }

  /** Where sampling starts (image-to-image); 0 unless {@link #setBeginIndex} was called. */
  int beginIndex();

  /** Starts sampling at call {@code index} of {@link #timesteps()} (diffusers' set_begin_index). */
  void setBeginIndex(int index);

  /**
   * The standard deviation of the starting noise for text-to-image (diffusers' init_noise_sigma).
   */
  double initNoiseSigma();

  /**
   * The UNet input for call {@code index}: the sample scaled as the sampler needs (Euler divides by
   * sqrt(sigma²+1)); a new array, or {@code sample} itself when no scaling applies.
   */
  float[] scaleModelInput(float[] sample, int index);

  /**
   * Advances {@code sample} in place from call {@code index} to the next, given the (guided) model
   * output at that call. Ancestral samplers and LCM draw their fresh noise from {@code generator}.
   *
   * @return the model's current estimate of the clean sample (x0), a new array
   */
  float[] step(float[] modelOutput, int index, float[] sample, TorchGenerator generator);

  /**
   * Noises a clean sample to the level of call {@code index} (image-to-image start), returning a
   * new array: diffusers' add_noise with timesteps[index].
   */
  float[] addNoise(float[] original, float[] noise, int index);
}

package atelier.diffusion;

import atelier.CancelToken;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The denoising loop shared by every pipeline: each image has its own scheduler and generator; at
 * each step the model is asked for every image's (guided) prediction, then each scheduler advances
 * its image. Stateless; the state lives in the schedulers, generators and latents given.
 */
public final class SamplingLoop {
  private SamplingLoop() {}

  /** The model side of the loop: predictions for each image's scaled input at one timestep. */
  @FunctionalInterface
  public interface Denoiser {
    /**
     * @param modelInputs one scaled latent array per image
     * @param timestep the schedulers' timestep for this step (the same for every image)
     * @return one guided prediction per image
     */
    float[][] predict(float[][] modelInputs, double timestep);
  }

  /** Something done to each image's latents after a step (symmetry), with the step index. */
  @FunctionalInterface
  public interface StepHook {
    void afterStep(float[] latents, int stepsDone, int totalSteps);
  }

  /**
   * Runs the loop from each scheduler's begin index to its last timestep.
   *
   * @param latents one latent array per image, advanced in place
   * @param onStep called after each step with the number of steps done
   */
  public static void run(
      List<Scheduler> schedulers,
      List<TorchGenerator> generators,
      float[][] latents,
      Denoiser denoiser,
      StepHook hook,
      IntConsumer onStep,
      CancelToken cancel) {
    int images = latents.length;
    if (schedulers.size() != images || generators.size() != images) {
      throw new IllegalArgumentException(
          "sampling: expected one scheduler and generator per image ("
              + images
              + "), found "
              + schedulers.size()
              + " and "
              + generators.size());
    }
    Scheduler first = schedulers.get(0);
    double[] timesteps = first.timesteps();
    int begin = first.beginIndex();
    int total = timesteps.length - begin;
    for (int index = begin; index < timesteps.length; index++) {
      cancel.check();
      float[][] inputs = new float[images][];
      for (int i = 0; i < images; i++) {
        inputs[i] = schedulers.get(i).scaleModelInput(latents[i], index);
      }
      float[][] predictions = denoiser.predict(inputs, timesteps[index]);
      for (int i = 0; i < images; i++) {
        schedulers.get(i).step(predictions[i], index, latents[i], generators.get(i));
        if (hook != null) {
          hook.afterStep(latents[i], index - begin + 1, total);
        }
      }
      onStep.accept(index - begin + 1);
    }
  }
}

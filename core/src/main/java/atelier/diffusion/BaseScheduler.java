package atelier.diffusion;

import java.util.Objects;

/**
 * What all schedulers share: the timestep list, the begin index, and the rule that {@link #step} is
 * called once per index, in order, from the begin index on (multistep samplers remember the outputs
 * of earlier calls, so skipping or repeating one would silently give wrong images). Stateful, not
 * thread-safe.
 */
abstract class BaseScheduler implements Scheduler {
  final Settings settings;
  final NoiseSchedule noise;
  final double[] timesteps;
  private int beginIndex;
  private int nextIndex = -1;

  BaseScheduler(Settings settings, NoiseSchedule noise, double[] timesteps) {
    this.settings = settings;
    this.noise = noise;
    this.timesteps = timesteps;
  }

  @Override
  public final double[] timesteps() {
    return timesteps.clone();
  }

  @Override
  public final int beginIndex() {
    return beginIndex;
  }

  @Override
  public final void setBeginIndex(int index) {
    if (nextIndex >= 0) {
      throw new IllegalStateException(
          "setBeginIndex(" + index + ") after sampling started at " + beginIndex);
    }
    checkIndex(index);
    beginIndex = index;
  }

  @Override
  public double initNoiseSigma() {
    return 1.0;
  }

  @Override
  public float[] scaleModelInput(float[] sample, int index) {
    checkIndex(index);
    return sample;
  }

  @Override
  public final float[] step(
      float[] modelOutput, int index, float[] sample, TorchGenerator generator) {
    Objects.requireNonNull(modelOutput, "modelOutput");
    Objects.requireNonNull(sample, "sample");
    if (modelOutput.length != sample.length) {
      throw new IllegalArgumentException(
          "step: modelOutput has "
              + modelOutput.length
              + " values but sample has "
              + sample.length);
    }
    checkIndex(index);
    int expected = nextIndex < 0 ? beginIndex : nextIndex;
    if (index != expected) {
      throw new IllegalStateException(
          nextIndex < 0
              ? "step(index="
                  + index
                  + ") but sampling begins at index "
                  + beginIndex
                  + "; call setBeginIndex("
                  + index
                  + ") first for image-to-image"
              : "step(index=" + index + ") out of order: expected index " + expected);
    }
    float[] x0 = doStep(modelOutput, index, sample, generator);
    nextIndex = index + 1;
    return x0;
  }

  /** The step itself: {@code index} is checked and in order. Updates sample, returns x0. */
  abstract float[] doStep(float[] modelOutput, int index, float[] sample, TorchGenerator generator);

  /**
   * The float32 sigmas the scheduler steps through, as diffusers holds them (one per UNet call plus
   * the final one), or null for the DDPM-style schedulers, which have none (for tests).
   */
  float[] sigmas() {
    return null;
  }

  /** add_noise for the DDPM-style schedulers: sqrt(ᾱ_t)·x + sqrt(1 − ᾱ_t)·noise, ᾱ at t. */
  final float[] addNoiseAtTimestep(float[] original, float[] noiseValues, int index) {
    checkIndex(index);
    checkSameLength(original, noiseValues);
    float ac = noise.alphasCumprod[(int) timesteps[index]];
    float a = Numerics.sqrt(ac);
    float b = Numerics.sqrt(1 - ac);
    float[] out = new float[original.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = a * original[i] + b * noiseValues[i];
    }
    return out;
  }

  final void checkIndex(int index) {
    if (index < 0 || index >= timesteps.length) {
      throw new IndexOutOfBoundsException(
          "timestep index " + index + ": expected 0 to " + (timesteps.length - 1));
    }
  }

  static void checkSameLength(float[] original, float[] noiseValues) {
    if (original.length != noiseValues.length) {
      throw new IllegalArgumentException(
          "addNoise: original has "
              + original.length
              + " values but noise has "
              + noiseValues.length);
    }
  }

  static TorchGenerator require(TorchGenerator generator, String who) {
    if (generator == null) {
      throw new NullPointerException(who + " draws fresh noise: a TorchGenerator is required");
    }
    return generator;
  }

  /** x0 from a model output, with ᾱ_t: how DDIM, LCM and PNDM read epsilon/v/sample outputs. */
  static float x0FromOutput(Settings.Prediction p, float sample, float out, float sa, float sb) {
    return switch (p) {
      case EPSILON -> (sample - sb * out) / sa;
      case V_PREDICTION -> sa * sample - sb * out;
      case SAMPLE -> out;
    };
  }
}

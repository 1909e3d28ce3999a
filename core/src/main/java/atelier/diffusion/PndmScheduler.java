package atelier.diffusion;

import atelier.BadRequestException;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' PNDMScheduler (Liu et al. 2022): linear multistep (PLMS) on the model's noise
 * estimates, started either by a Runge–Kutta warm-up (4 steps of 3 extra UNet calls each) or, with
 * skip_prk_steps as Stable Diffusion configs set it, by one Heun-like correction that repeats the
 * second timestep. So the timestep list is longer than the step count: one entry per UNet call.
 *
 * <p>diffusers returns no x0 for PNDM; {@link #step} returns the x0 implied by this call's raw
 * model output at its timestep (for previews). Stateful: call every index in order.
 */
final class PndmScheduler extends BaseScheduler {
  private final float finalAlphaCumprod;
  private final int stepRatio;
  private final int prkCount;
  private final double[] prkTimesteps;
  private final List<float[]> ets = new ArrayList<>();
  private float[] curModelOutput;
  private float[] curSample;
  private int counter;

  private PndmScheduler(Settings s, NoiseSchedule noise, double[] t, int steps, double[] prk) {
    super(s, noise, t);
    this.finalAlphaCumprod = s.setAlphaToOne() ? 1.0f : noise.alphasCumprod[0];
    this.stepRatio = s.numTrainTimesteps() / steps;
    this.prkTimesteps = prk;
    this.prkCount = prk.length;
  }

  static PndmScheduler create(Settings s, int steps) {
    int train = s.numTrainTimesteps();
    double[] ascending = ascendingTimesteps(s, steps, train);
    int n = ascending.length;
    double[] prk;
    double[] plms;
    if (s.skipPrkSteps()) {
      prk = new double[0];
      // ascending[:-1], ascending[-2:-1], ascending[-1:], reversed: the second timestep twice
      plms = new double[n + (n >= 2 ? 1 : 0)];
      int j = 0;
      for (int i = 0; i < n - 1; i++) {
        plms[j++] = ascending[i];
      }
      if (n >= 2) {
        plms[j++] = ascending[n - 2];
      }
      plms[j] = ascending[n - 1];
      plms = Numerics.reversed(plms);
    } else {
      if (n < 4) {
        throw new BadRequestException(
            "pndm: the Runge-Kutta warm-up (skip_prk_steps=false) needs at least 4 steps, found "
                + steps
                + "; use more steps or a config with skip_prk_steps=true");
      }
      // each of the last 4 timesteps and its half-step point, as diffusers builds prk_timesteps
      double[] pairs = new double[8];
      int half = train / steps / 2;
      for (int i = 0; i < 4; i++) {
        pairs[2 * i] = ascending[n - 4 + i];
        pairs[2 * i + 1] = ascending[n - 4 + i] + half;
      }
      // pairs[:-1], each value twice, without the first and last copy: 12 entries
      double[] doubled = new double[12];
      for (int i = 0; i < 12; i++) {
        doubled[i] = pairs[(i + 1) / 2];
      }
      prk = Numerics.reversed(doubled);
      plms = new double[n - 3];
      for (int i = 0; i < n - 3; i++) {
        plms[i] = ascending[n - 4 - i];
      }
    }
    double[] all = new double[prk.length + plms.length];
    System.arraycopy(prk, 0, all, 0, prk.length);
    System.arraycopy(plms, 0, all, prk.length, plms.length);
    return new PndmScheduler(s, new NoiseSchedule(s, false), all, steps, prk);
  }

  private static double[] ascendingTimesteps(Settings s, int steps, int train) {
    double[] t;
    switch (s.spacing()) {
      case LINSPACE:
        t = Numerics.linspace(0, train - 1, steps, true);
        for (int i = 0; i < steps; i++) {
          t[i] = Numerics.round(t[i]);
        }
        return t;
      case LEADING:
        t = new double[steps];
        int ratio = train / steps;
        for (int i = 0; i < steps; i++) {
          t[i] = (double) i * ratio + s.stepsOffset();
        }
        return t;
      case TRAILING:
        return Numerics.reversed(Numerics.trailing(train, steps));
      default:
        throw new IllegalStateException("unhandled spacing " + s.spacing());
    }
  }

  @Override
  float[] doStep(float[] modelOutput, int index, float[] sample, TorchGenerator generator) {
    int t = (int) timesteps[index];
    float[] x0 = previewX0(modelOutput, sample, t);
    if (counter < prkCount && !settings.skipPrkSteps()) {
      stepPrk(modelOutput, t, sample);
    } else {
      stepPlms(modelOutput, t, sample);
    }
    counter++;
    return x0;
  }

  private void stepPrk(float[] m, int timestep, float[] sample) {
    int diffToPrev = counter % 2 != 0 ? 0 : stepRatio / 2;
    int prev = timestep - diffToPrev;
    int t = (int) prkTimesteps[counter / 4 * 4];
    float[] output = m;
    switch (counter % 4) {
      case 0:
        curModelOutput = scaled((float) (1.0 / 6.0), m);
        ets.add(m.clone());
        curSample = sample.clone();
        break;
      case 1:
      case 2:
        float[] third = scaled((float) (1.0 / 3.0), m);
        for (int i = 0; i < third.length; i++) {
          curModelOutput[i] = curModelOutput[i] + third[i];
        }
        break;
      default:
        float[] sixth = scaled((float) (1.0 / 6.0), m);
        output = new float[m.length];
        for (int i = 0; i < m.length; i++) {
          output[i] = curModelOutput[i] + sixth[i];
        }
        curModelOutput = null;
        break;
    }
    float[] from = curSample != null ? curSample : sample;
    previousSample(from, t, prev, output, sample);
  }

  private void stepPlms(float[] m, int timestep, float[] sample) {
    int t = timestep;
    int prev = t - stepRatio;
    if (counter != 1) {
      while (ets.size() > 3) {
        ets.remove(0);
      }
      ets.add(m.clone());
    } else {
      prev = t;
      t = t + stepRatio;
    }
    int k = ets.size();
    float[] output = new float[m.length];
    float[] from = sample;
    if (k == 1 && counter == 0) {
      System.arraycopy(m, 0, output, 0, m.length);
      curSample = sample.clone();
    } else if (k == 1 && counter == 1) {
      float[] e1 = ets.get(0);
      for (int i = 0; i < m.length; i++) {
        output[i] = (m[i] + e1[i]) / 2;
      }
      from = curSample;
      curSample = null;
    } else if (k == 2) {
      float[] e1 = ets.get(1);
      float[] e2 = ets.get(0);
      for (int i = 0; i < m.length; i++) {
        output[i] = (3 * e1[i] - e2[i]) / 2;
      }
    } else if (k == 3) {
      float[] e1 = ets.get(2);
      float[] e2 = ets.get(1);
      float[] e3 = ets.get(0);
      for (int i = 0; i < m.length; i++) {
        output[i] = (23 * e1[i] - 16 * e2[i] + 5 * e3[i]) / 12;
      }
    } else {
      float[] e1 = ets.get(3);
      float[] e2 = ets.get(2);
      float[] e3 = ets.get(1);
      float[] e4 = ets.get(0);
      float c = (float) (1.0 / 24.0);
      for (int i = 0; i < m.length; i++) {
        output[i] = c * (55 * e1[i] - 59 * e2[i] + 37 * e3[i] - 9 * e4[i]);
      }
    }
    previousSample(from, t, prev, output, sample);
  }

  /** diffusers' _get_prev_sample (formula (9) of the PNDM paper), written into {@code out}. */
  private void previousSample(float[] sample, int t, int prev, float[] m, float[] out) {
    float at = noise.alphasCumprod[t];
    float aPrev = prev >= 0 ? noise.alphasCumprod[prev] : finalAlphaCumprod;
    float bt = 1 - at;
    float bPrev = 1 - aPrev;
    float[] eps = m;
    if (settings.prediction() == Settings.Prediction.V_PREDICTION) {
      float sa = Numerics.sqrt(at);
      float sb = Numerics.sqrt(bt);
      eps = new float[m.length];
      for (int i = 0; i < m.length; i++) {
        eps[i] = sa * m[i] + sb * sample[i];
      }
    }
    float sampleCoeff = Numerics.sqrt(aPrev / at);
    float denominator = at * Numerics.sqrt(bPrev) + Numerics.sqrt(at * bt * aPrev);
    float diff = aPrev - at;
    float[] source = sample == out ? sample.clone() : sample;
    for (int i = 0; i < out.length; i++) {
      out[i] = sampleCoeff * source[i] - diff * eps[i] / denominator;
    }
  }

  private float[] previewX0(float[] m, float[] sample, int t) {
    float at = noise.alphasCumprod[t];
    float sa = Numerics.sqrt(at);
    float sb = Numerics.sqrt(1 - at);
    float[] x0 = new float[m.length];
    for (int i = 0; i < m.length; i++) {
      x0[i] = x0FromOutput(settings.prediction(), sample[i], m[i], sa, sb);
    }
    return x0;
  }

  private static float[] scaled(float factor, float[] m) {
    float[] out = new float[m.length];
    for (int i = 0; i < m.length; i++) {
      out[i] = factor * m[i];
    }
    return out;
  }

  @Override
  public float[] addNoise(float[] original, float[] noiseValues, int index) {
    return addNoiseAtTimestep(original, noiseValues, index);
  }
}

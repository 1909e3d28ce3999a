package atelier.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Whole sampling loops against diffusers: every kind on real model configs, 1 to 50 steps,
 * text-to-image and image-to-image (strength 0.6), with the starting noise and all per-step noise
 * drawn from one seeded generator as the pipelines do. Reference: diffusion/scheduler_loops.json,
 * written by tools/diffusion/scheduler_reference.py, and for the samplers added for A1111 parity
 * (Heun, LMS, DPM2, UniPC, DPM++ 2M SDE, with and without Karras sigmas)
 * diffusion/sampler_loops.json, written by tools/diffusion/sampler_reference.py (both from
 * huggingface/diffusers 58eb52c0, torch 1.13 on CPU); the UNet is {@link DummyModel}.
 *
 * <p>Tolerance: 1e-5 relative to the magnitude of the tensor (its mean absolute value, or the value
 * itself when larger), plus 3e-7 of the largest mean magnitude the loop's sample has had. The
 * starting noise comes from {@link Mt19937Generator}, which matches torch's vectorised fill only to
 * ~2e-6, so exact equality is not expected; and where a step cancels large numbers (the cosine
 * schedule starts at sigma 20291) float32 leaves noise of a few ulps of the large ones, in
 * diffusers as here: one element's large terms can be three times the mean magnitude, and its ulp
 * is up to 1.2e-7 of it (LMS's first step on that schedule differs by one such ulp).
 */
class SchedulerLoopTest {
  private static final double TOLERANCE = 1e-5;
  private JsonNode reference;
  private Map<String, SchedulerConfig> configs;

  private double worst;
  private double peak;
  private final List<String> failures = new ArrayList<>();

  @Test
  void everyLoopMatchesDiffusersStepByStep() {
    runAll("scheduler_loops.json", 150);
  }

  @Test
  void theA1111SamplersMatchDiffusersStepByStep() {
    java.util.Set<SchedulerKind> kinds = runAll("sampler_loops.json", 200);
    assertThat(kinds)
        .contains(
            SchedulerKind.HEUN,
            SchedulerKind.LMS,
            SchedulerKind.LMS_KARRAS,
            SchedulerKind.DPM2,
            SchedulerKind.DPM2_KARRAS,
            SchedulerKind.UNIPC,
            SchedulerKind.DPMPP_2M_SDE,
            SchedulerKind.DPMPP_2M_SDE_KARRAS);
  }

  private java.util.Set<SchedulerKind> runAll(String file, int atLeast) {
    reference = ReferenceData.load(file);
    configs = ReferenceConfigs.from(reference);
    java.util.Set<SchedulerKind> kinds = java.util.EnumSet.noneOf(SchedulerKind.class);
    int loops = 0;
    int steps = 0;
    for (JsonNode loop : reference.get("loops")) {
      steps += run(loop);
      kinds.add(SchedulerKind.lookup(loop.get("kind").asText()));
      loops++;
    }
    assertThat(failures).isEmpty();
    assertThat(loops).isGreaterThan(atLeast);
    System.out.printf(
        "SchedulerLoopTest %s: %d loops, %d steps, max error relative to the tensor's magnitude"
            + " %.3g%n",
        file, loops, steps, worst);
    return kinds;
  }

  private int run(JsonNode loop) {
    SchedulerKind kind = SchedulerKind.lookup(loop.get("kind").asText());
    int steps = loop.get("steps").asInt();
    boolean img2img = !loop.get("strength").isNull();
    SchedulerOptions options = SchedulerOptions.DEFAULTS.withEta(loop.get("eta").asDouble());
    if (img2img) {
      options = options.withStrength(loop.get("strength").asDouble());
    }
    String where =
        String.format(
            "%s %s %d steps seed %d eta %s strength %s",
            loop.get("config").asText(),
            kind,
            steps,
            loop.get("seed").asInt(),
            loop.get("eta").asText(),
            loop.get("strength").asText());
    Scheduler s = Schedulers.create(kind, configs.get(loop.get("config").asText()), steps, options);
    assertThat(s.timesteps())
        .as(where)
        .containsExactly(
            SchedulerScheduleTest.doubles(loop.get("timesteps")),
            org.assertj.core.data.Offset.offset(2e-4));
    assertThat(s.beginIndex()).as(where).isEqualTo(loop.get("begin_index").asInt());

    TorchGenerator g = TorchGenerator.cpu(loop.get("seed").asLong());
    int n = reference.get("shape").get(1).asInt() * 64;
    float[] latents;
    if (!img2img) {
      float[] noise = g.randn(n);
      float init = (float) s.initNoiseSigma();
      latents = new float[n];
      for (int i = 0; i < n; i++) {
        latents[i] = noise[i] * init;
      }
    } else {
      float[] clean = DummyModel.pattern(n, 11, 5, 0.1f);
      latents = s.addNoise(clean, g.randn(n), s.beginIndex());
    }
    peak = 0;
    compare(where + " start", loop.get("start"), latents);
    double[] timesteps = s.timesteps();
    int taken = 0;
    for (JsonNode step : loop.get("steps_taken")) {
      int index = step.get("index").asInt();
      String at = where + " step index " + index;
      float[] input = s.scaleModelInput(latents, index);
      compareSum(at + " model input", step.get("input_sum").asDouble(), input);
      float[] x0 = s.step(DummyModel.apply(input, timesteps[index]), index, latents, g);
      compare(at + " sample", step.get("sample"), latents);
      if (step.has("x0")) {
        compare(at + " x0", step.get("x0"), x0);
      }
      taken++;
    }
    assertThat(taken).as(where).isEqualTo(timesteps.length - s.beginIndex());
    return taken;
  }

  private void compare(String where, JsonNode stats, float[] values) {
    double absSum = stats.get("abs_sum").asDouble();
    double mean = absSum / values.length;
    peak = Math.max(peak, mean);
    double gotAbs = 0;
    double gotSum = 0;
    for (float v : values) {
      gotAbs += Math.abs(v);
      gotSum += v;
    }
    check(where + " abs_sum", absSum, gotAbs, absSum, values.length);
    check(where + " sum", stats.get("sum").asDouble(), gotSum, absSum, values.length);
    int[] probe = new int[reference.get("probe").size()];
    for (int i = 0; i < probe.length; i++) {
      probe[i] = reference.get("probe").get(i).asInt();
      double want = stats.get("probe").get(i).asDouble();
      check(
          where + " [" + probe[i] + "]", want, values[probe[i]], Math.max(Math.abs(want), mean), 1);
    }
  }

  private void compareSum(String where, double want, float[] values) {
    double sum = 0;
    double abs = 0;
    for (float v : values) {
      sum += v;
      abs += Math.abs(v);
    }
    check(where + " sum", want, sum, abs, values.length);
  }

  /**
   * Fails when |got − want| exceeds 1e-5·scale + 3e-7·peak·count, where count is how many values
   * the compared number adds up (1 for an element, the tensor size for a sum).
   */
  private void check(String where, double want, double got, double scale, int count) {
    double error = Math.abs(got - want);
    double allowed = TOLERANCE * scale + 3e-7 * peak * count;
    if (!(error <= allowed)) {
      failures.add(where + ": expected " + want + " found " + got + " (allowed " + allowed + ")");
    }
    double rel = error / Math.max(scale, 1e-12);
    if (rel > worst || Double.isNaN(rel)) {
      worst = Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel;
    }
  }
}

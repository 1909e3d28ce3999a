package atelier.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The full-loop tests of diffusers' own test suite (huggingface/diffusers 58eb52c0,
 * tests/schedulers/test_scheduler_*.py), redone in Java: the same configs, dummy_sample_deter,
 * dummy_noise_deter, dummy_model ({@code sample·t/(t+1)}) and {@code torch.manual_seed(0)}
 * generator. Each result is checked twice: against the literal result_sum/result_mean the diffusers
 * test asserts (with that test's tolerance), and tightly (1e-5 relative) against the values
 * tools/diffusion/scheduler_reference.py got by running the same procedure through diffusers
 * (diffusion/scheduler_diffusers_tests.json).
 */
class DiffusersFullLoopTest {
  private static final JsonNode REFERENCE = ReferenceData.load("scheduler_diffusers_tests.json");

  /** file/test → {result_sum or NaN when the test checks only the mean, result_mean, sum tol}. */
  private static final Map<String, double[]> ASSERTED = new HashMap<>();

  static {
    // tests/schedulers/test_scheduler_euler.py
    asserted("test_scheduler_euler.py", "test_full_loop_no_noise", 10.0807, 0.0131);
    asserted("test_scheduler_euler.py", "test_full_loop_with_v_prediction", 0.0002, 2.2676e-06);
    asserted(
        "test_scheduler_euler.py",
        "test_full_loop_device_karras_sigmas",
        124.52299499511719,
        0.16213932633399963);
    asserted("test_scheduler_euler.py", "test_full_loop_with_noise", 57062.9297, 74.3007);
    // tests/schedulers/test_scheduler_euler_ancestral.py
    asserted("test_scheduler_euler_ancestral.py", "test_full_loop_no_noise", 152.3192, 0.1983);
    asserted(
        "test_scheduler_euler_ancestral.py", "test_full_loop_with_v_prediction", 108.4439, 0.1412);
    asserted("test_scheduler_euler_ancestral.py", "test_full_loop_with_noise", 56163.0508, 73.1290);
    // tests/schedulers/test_scheduler_ddim.py
    asserted("test_scheduler_ddim.py", "test_full_loop_no_noise", 172.0067, 0.223967);
    asserted("test_scheduler_ddim.py", "test_full_loop_with_v_prediction", 52.5302, 0.0684);
    asserted("test_scheduler_ddim.py", "test_full_loop_with_set_alpha_to_one", 149.8295, 0.1951);
    asserted("test_scheduler_ddim.py", "test_full_loop_with_no_set_alpha_to_one", 149.0784, 0.1941);
    asserted("test_scheduler_ddim.py", "test_full_loop_with_noise", 354.5418, 0.4616);
    // tests/schedulers/test_scheduler_dpm_multi.py (some tests check the mean only)
    asserted("test_scheduler_dpm_multi.py", "test_full_loop_no_noise", Double.NaN, 0.3301);
    asserted("test_scheduler_dpm_multi.py", "test_full_loop_with_noise", 318.4111, 0.4146);
    asserted("test_scheduler_dpm_multi.py", "test_full_loop_with_v_prediction", Double.NaN, 0.2251);
    asserted(
        "test_scheduler_dpm_multi.py",
        "test_full_loop_with_karras_and_v_prediction",
        Double.NaN,
        0.2096);
    // tests/schedulers/test_scheduler_lcm.py (sum tolerance 1e-3 there)
    ASSERTED.put(
        "test_scheduler_lcm.py test_full_loop_onestep", new double[] {18.7097, 0.0244, 1e-3});
    ASSERTED.put(
        "test_scheduler_lcm.py test_full_loop_multistep", new double[] {197.7616, 0.2575, 1e-3});
    // tests/schedulers/test_scheduler_pndm.py (Runge-Kutta warm-up, skip_prk_steps=False)
    asserted("test_scheduler_pndm.py", "test_full_loop_no_noise", 198.1318, 0.2580);
    asserted("test_scheduler_pndm.py", "test_full_loop_with_v_prediction", 67.3986, 0.0878);
    asserted("test_scheduler_pndm.py", "test_full_loop_with_set_alpha_to_one", 230.0399, 0.2995);
    asserted("test_scheduler_pndm.py", "test_full_loop_with_no_set_alpha_to_one", 186.9482, 0.2434);
  }

  private static void asserted(String file, String test, double sum, double mean) {
    ASSERTED.put(file + " " + test, new double[] {sum, mean, 1e-2});
  }

  @Test
  void fullLoopsGiveDiffusersResults() {
    int checked = 0;
    for (JsonNode t : REFERENCE.get("tests")) {
      String file = t.get("file").asText();
      String name = file.substring(file.lastIndexOf('/') + 1) + " " + t.get("test").asText();
      float[] result = run(t);
      double sum = 0;
      for (float v : result) {
        sum += Math.abs(v);
      }
      double mean = sum / result.length;

      double[] literal = ASSERTED.get(name);
      assertThat(literal).as("literal values for " + name).isNotNull();
      if (!Double.isNaN(literal[0])) {
        assertThat(Math.abs(sum - literal[0]))
            .as(name + " result_sum " + sum)
            .isLessThan(literal[2]);
      }
      assertThat(Math.abs(mean - literal[1])).as(name + " result_mean " + mean).isLessThan(1e-3);

      double want = t.get("result_sum").asDouble();
      assertThat(Math.abs(sum - want))
          .as(name + ": sum " + sum + " vs diffusers " + want)
          .isLessThanOrEqualTo(1e-5 * want + 1e-6);
      checked++;
    }
    assertThat(checked).isEqualTo(ASSERTED.size());
  }

  private static float[] run(JsonNode t) {
    SchedulerKind kind = SchedulerKind.lookup(t.get("kind").asText());
    SchedulerConfig config = ReferenceConfigs.config(t.get("config"), t.get("test").asText());
    int steps = t.get("steps").asInt();
    Scheduler s = Schedulers.create(kind, config, steps);
    TorchGenerator generator = TorchGenerator.cpu(0); // torch.manual_seed(0)
    boolean eulerFamily = kind == SchedulerKind.EULER || kind == SchedulerKind.EULER_ANCESTRAL;
    float[] sample = deterministic(false);
    if (eulerFamily) {
      float init = (float) s.initNoiseSigma();
      for (int i = 0; i < sample.length; i++) {
        sample[i] = sample[i] * init;
      }
    }
    double[] timesteps = s.timesteps();
    if (!t.get("noise_start").isNull()) {
      int start = t.get("noise_start").asInt();
      s.setBeginIndex(start);
      sample = s.addNoise(sample, deterministic(true), start);
    }
    for (int i = s.beginIndex(); i < timesteps.length; i++) {
      if (eulerFamily) {
        // diffusers' Euler tests overwrite the sample with the scaled model input
        sample = s.scaleModelInput(sample, i);
      }
      s.step(model(sample, timesteps[i]), i, sample, generator);
    }
    return sample;
  }

  /** dummy_sample_deter (or dummy_noise_deter, the same values reversed), NCHW 4×3×8×8. */
  private static float[] deterministic(boolean reversed) {
    int n = 4 * 3 * 8 * 8;
    float[] out = new float[n];
    for (int b = 0; b < 4; b++) {
      for (int c = 0; c < 3; c++) {
        for (int h = 0; h < 8; h++) {
          for (int w = 0; w < 8; w++) {
            int source = ((c * 8 + h) * 8 + w) * 4 + b; // arange(n).reshape(3, 8, 8, 4)
            int value = reversed ? n - 1 - source : source;
            out[((b * 3 + c) * 8 + h) * 8 + w] = (float) value / n;
          }
        }
      }
    }
    return out;
  }

  /** diffusers' dummy_model: sample·t / (t + 1) in float32. */
  private static float[] model(float[] sample, double timestep) {
    float t = (float) timestep;
    float[] out = new float[sample.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = sample[i] * t / (t + 1);
    }
    return out;
  }
}

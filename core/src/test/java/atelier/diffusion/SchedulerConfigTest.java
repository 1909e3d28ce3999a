package atelier.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerConfigTest {
  /** runwayml/stable-diffusion-v1-5 scheduler/scheduler_config.json (diffusers 0.6.0). */
  static final String SD15 =
      """
      {
        "_class_name": "PNDMScheduler",
        "_diffusers_version": "0.6.0",
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "num_train_timesteps": 1000,
        "set_alpha_to_one": false,
        "skip_prk_steps": true,
        "steps_offset": 1,
        "trained_betas": null,
        "clip_sample": false
      }
      """;

  @Test
  void absentKeysTakeTheTargetClassDefault() {
    SchedulerConfig sd15 = SchedulerConfig.parse(SD15, "sd15");
    assertThat(sd15.has("timestep_spacing")).isFalse();
    // diffusers: EulerDiscreteScheduler.from_config(pndm_config) -> linspace, DDIM -> leading
    assertThat(Settings.resolve(SchedulerKind.EULER, sd15).spacing())
        .isEqualTo(Settings.Spacing.LINSPACE);
    assertThat(Settings.resolve(SchedulerKind.DDIM, sd15).spacing())
        .isEqualTo(Settings.Spacing.LEADING);
    assertThat(Schedulers.create(SchedulerKind.EULER, sd15, 4).timesteps())
        .containsExactly(999, 666, 333, 0);
    assertThat(Schedulers.create(SchedulerKind.DDIM, sd15, 4).timesteps())
        .containsExactly(751, 501, 251, 1);
    // keys present override: clip_sample false in the file beats DDIM's default true
    assertThat(Settings.resolve(SchedulerKind.DDIM, sd15).clipSample()).isFalse();
    assertThat(Settings.resolve(SchedulerKind.DDIM, SchedulerConfig.empty()).clipSample()).isTrue();
  }

  @Test
  void keysTheTargetClassDoesNotTakeAreIgnored() {
    // skip_prk_steps means nothing to Euler; thresholding means nothing to PNDM
    SchedulerConfig config =
        SchedulerConfig.parse(SD15, "sd15").with("thresholding", true).with("unknown_key", 3);
    assertThat(Schedulers.create(SchedulerKind.PNDM, config, 4).timesteps())
        .containsExactly(751, 501, 501, 251, 1);
    assertThatThrownBy(() -> Schedulers.create(SchedulerKind.DDIM, config, 4))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("thresholding=true")
        .hasMessageContaining("expected false");
  }

  @Test
  void readsAFileAndPythonInfinity(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("scheduler_config.json");
    Files.writeString(
        file,
        "{\"_class_name\": \"DPMSolverMultistepScheduler\", \"lambda_min_clipped\": -Infinity,"
            + " \"use_karras_sigmas\": true}");
    SchedulerConfig config = SchedulerConfig.read(file);
    assertThat(config.className()).contains("DPMSolverMultistepScheduler");
    assertThat(config.source()).isEqualTo(file.toString());
    assertThat(SchedulerKind.forConfig(config)).contains(SchedulerKind.DPMPP_2M_KARRAS);
    assertThat(Schedulers.create(SchedulerKind.DPMPP_2M, config, 4).timesteps())
        .containsExactly(999, 749, 500, 250);
  }

  @Test
  void badFilesFailToLoadNamingTheKey(@TempDir Path dir) {
    assertThatThrownBy(() -> SchedulerConfig.parse("{\"steps_offset\": \"1\"}", "m/scheduler"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(
            "scheduler config m/scheduler: key \"steps_offset\": expected an integer, found \"1\"");
    assertThatThrownBy(() -> SchedulerConfig.parse("{\"beta_start\": true}", "x"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("\"beta_start\": expected a number, found true");
    assertThatThrownBy(() -> SchedulerConfig.parse("[1, 2]", "x"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected a JSON object, found ARRAY");
    assertThatThrownBy(() -> SchedulerConfig.parse("{\"a\": ", "x"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> SchedulerConfig.read(dir.resolve("missing.json")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("cannot read scheduler config");
    assertThatThrownBy(() -> SchedulerConfig.empty().with("use_karras_sigmas", "yes"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("\"use_karras_sigmas\": expected true or false, found \"yes\"");
  }

  @Test
  void unsupportedValuesAreRejectedWhenASchedulerIsMade() {
    SchedulerConfig base = SchedulerConfig.parse(SD15, "sd15");
    assertThatThrownBy(
            () -> Schedulers.create(SchedulerKind.EULER, base.with("beta_schedule", "cubic"), 4))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "scheduler euler: config sd15 (with beta_schedule) key \"beta_schedule\": expected one"
                + " of [linear, scaled_linear, squaredcos_cap_v2], found \"cubic\"");
    assertThatThrownBy(
            () ->
                Schedulers.create(
                    SchedulerKind.EULER_ANCESTRAL, base.with("prediction_type", "sample"), 4))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("\"prediction_type\": expected one of [epsilon, v_prediction]");
    assertThatThrownBy(
            () ->
                Schedulers.create(
                    SchedulerKind.EULER, base.with("interpolation_type", "log_linear"), 4))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("interpolation_type");
    assertThatThrownBy(
            () ->
                Schedulers.create(
                    SchedulerKind.DPMPP_2M, base.with("use_exponential_sigmas", true), 4))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("exponential sigmas are not implemented");
    assertThatThrownBy(
            () ->
                Schedulers.create(
                    SchedulerKind.DDIM, base.with("trained_betas", new float[] {0.1f, 0.2f}), 4))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected 1000 values (num_train_timesteps), found 2 values");
    assertThatThrownBy(
            () -> Schedulers.create(SchedulerKind.PNDM, base.with("skip_prk_steps", false), 3))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("needs at least 4 steps, found 3");
  }

  @Test
  void trainedBetasReplaceTheSchedule() {
    float[] betas =
        NoiseSchedule.betas(
            Settings.resolve(SchedulerKind.DDIM, SchedulerConfig.parse(SD15, "sd15")));
    SchedulerConfig trained = SchedulerConfig.empty().with("trained_betas", betas);
    Settings s = Settings.resolve(SchedulerKind.DDIM, trained);
    Settings sd15 = Settings.resolve(SchedulerKind.DDIM, SchedulerConfig.parse(SD15, "sd15"));
    assertThat(new NoiseSchedule(s, false).alphasCumprod)
        .containsExactly(new NoiseSchedule(sd15, false).alphasCumprod);
  }
}

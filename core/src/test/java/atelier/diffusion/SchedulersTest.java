package atelier.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import org.junit.jupiter.api.Test;

/** The factory and the per-image contract of {@link Scheduler}. */
class SchedulersTest {
  private static final SchedulerConfig SD15 =
      SchedulerConfig.parse(SchedulerConfigTest.SD15, "sd15");
  private static final SchedulerConfig TURBO =
      SD15.with("_class_name", "EulerDiscreteScheduler").with("timestep_spacing", "trailing");

  @Test
  void formatsMdTimestepFacts() {
    double[] leading50 =
        Schedulers.create(SchedulerKind.DDIM, SD15.with("timestep_spacing", "leading"), 50)
            .timesteps();
    assertThat(leading50).hasSize(50).startsWith(981, 961).endsWith(21, 1);
    assertThat(Schedulers.create(SchedulerKind.EULER, TURBO, 1).timesteps()).containsExactly(999);
    assertThat(Schedulers.create(SchedulerKind.EULER, TURBO, 4).timesteps())
        .containsExactly(999, 749, 499, 249);
    assertThat(Schedulers.create(SchedulerKind.LCM, SchedulerConfig.empty(), 4).timesteps())
        .containsExactly(999, 759, 499, 259);
  }

  @Test
  void initNoiseSigmaDependsOnSpacingForTheEulerFamily() {
    Scheduler trailing = Schedulers.create(SchedulerKind.EULER, TURBO, 4);
    Scheduler leading =
        Schedulers.create(
            SchedulerKind.EULER_ANCESTRAL, TURBO.with("timestep_spacing", "leading"), 4);
    // max sigma for linspace/trailing, sqrt(max² + 1) for leading (sigma at t=751 is 4.1167)
    assertThat(trailing.initNoiseSigma()).isCloseTo(14.614645, within(1e-5));
    assertThat(leading.initNoiseSigma())
        .isCloseTo(Math.sqrt(4.116698 * 4.116698 + 1), within(1e-5));
    assertThat(Schedulers.create(SchedulerKind.DDIM, SD15, 4).initNoiseSigma()).isEqualTo(1.0);
  }

  @Test
  void imageToImageStrengthSetsTheBeginIndex() {
    SchedulerOptions img2img = SchedulerOptions.DEFAULTS.withStrength(0.6);
    assertThat(Schedulers.create(SchedulerKind.EULER, SD15, 20, img2img).beginIndex()).isEqualTo(8);
    assertThat(Schedulers.create(SchedulerKind.DPMPP_2M, SD15, 20, img2img).beginIndex())
        .isEqualTo(8);
    // LCM shortens its schedule instead and begins at 0
    Scheduler lcm = Schedulers.create(SchedulerKind.LCM, SchedulerConfig.empty(), 4, img2img);
    assertThat(lcm.beginIndex()).isZero();
    assertThat(lcm.timesteps()).containsExactly(599, 459, 299, 159);
    assertThatThrownBy(
            () ->
                Schedulers.create(
                    SchedulerKind.EULER, SD15, 4, SchedulerOptions.DEFAULTS.withStrength(0.2)))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("leaves no denoising step");
  }

  @Test
  void optionsAndStepCountsAreValidated() {
    assertThatThrownBy(() -> new SchedulerOptions(-1, 1))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("eta: expected a finite number >= 0, found -1.0");
    assertThatThrownBy(() -> new SchedulerOptions(0, 0))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("strength: expected a number in (0, 1], found 0.0");
    assertThatThrownBy(
            () ->
                Schedulers.create(
                    SchedulerKind.EULER, SD15, 4, SchedulerOptions.DEFAULTS.withEta(0.5)))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("only the ddim scheduler uses eta");
    assertThatThrownBy(() -> Schedulers.create(SchedulerKind.DDIM, SD15, 0))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("steps: expected at least 1, found 0");
    assertThatThrownBy(() -> Schedulers.create(SchedulerKind.DDIM, SD15, 1001))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("at most num_train_timesteps (1000)");
    assertThatThrownBy(() -> Schedulers.create(SchedulerKind.LCM, SchedulerConfig.empty(), 51))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("lcm: 51 steps need at least as many distillation steps");
  }

  @Test
  void everySchedulerRunsOrRefusesClearlyAtTheMaximumStepCount() {
    // 1000 is the request's maximum; every kind, spacing and offset either samples all its steps
    // or refuses with a BadRequestException naming the largest count that works
    for (String spacing : new String[] {"leading", "linspace", "trailing"}) {
      for (int offset : new int[] {0, 1}) {
        for (boolean skipPrk : new boolean[] {true, false}) {
          SchedulerConfig c =
              SD15.with("timestep_spacing", spacing)
                  .with("steps_offset", offset)
                  .with("skip_prk_steps", skipPrk);
          for (SchedulerKind kind : SchedulerKind.values()) {
            for (int steps : new int[] {999, 1000}) {
              String what = kind + " " + spacing + " offset " + offset + " " + steps + " steps";
              Scheduler s;
              try {
                s = Schedulers.create(kind, c, steps);
              } catch (BadRequestException e) {
                assertThat(e.getMessage()).as(what).contains(steps + " steps").contains("at most");
                continue;
              }
              float[] sample = new float[4];
              TorchGenerator generator = new Mt19937Generator(1);
              double[] t = s.timesteps();
              for (int i = 0; i < t.length; i++) {
                s.step(DummyModel.apply(s.scaleModelInput(sample, i), t[i]), i, sample, generator);
              }
              assertThat(sample).as(what).doesNotContain(Float.NaN);
            }
          }
        }
      }
    }
    // the combination that crashed: Stable Diffusion 1.5's own config (leading, steps_offset 1)
    for (SchedulerKind kind : new SchedulerKind[] {SchedulerKind.DDIM, SchedulerKind.PNDM}) {
      assertThatThrownBy(() -> Schedulers.create(kind, SD15, 1000))
          .isInstanceOf(BadRequestException.class)
          .hasMessage(
              "steps: "
                  + kind
                  + " with leading timestep spacing and steps_offset 1 reaches timestep 1000, past"
                  + " the model's 1000 training timesteps, at 1000 steps; expected at most 999"
                  + " steps with "
                  + kind
                  + ", found 1000");
      assertThat(Schedulers.create(kind, SD15, 999).timesteps())
          .contains(999.0)
          .doesNotContain(1000.0);
    }
  }

  @Test
  void stepsMustComeInOrderFromTheBeginIndex() {
    Scheduler s = Schedulers.create(SchedulerKind.DPMPP_2M, SD15, 4);
    float[] sample = new float[16];
    float[] out = new float[16];
    assertThatThrownBy(() -> s.step(out, 1, sample, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sampling begins at index 0; call setBeginIndex(1) first");
    s.step(out, 0, sample, null);
    assertThatThrownBy(() -> s.step(out, 0, sample, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("out of order: expected index 1");
    assertThatThrownBy(() -> s.setBeginIndex(2)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.step(new float[3], 1, sample, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("modelOutput has 3 values but sample has 16");
    assertThatThrownBy(() -> s.scaleModelInput(sample, 4))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("expected 0 to 3");
  }

  @Test
  void samplersThatDrawNoiseNeedAGenerator() {
    Scheduler s = Schedulers.create(SchedulerKind.EULER_ANCESTRAL, SD15, 4);
    assertThatThrownBy(() -> s.step(new float[4], 0, new float[4], null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("euler-a draws fresh noise");
  }

  @Test
  void timestepsAreACopyAndScalingIsPerKind() {
    Scheduler euler = Schedulers.create(SchedulerKind.EULER, TURBO, 4);
    euler.timesteps()[0] = -1;
    assertThat(euler.timesteps()[0]).isEqualTo(999);
    float[] sample = {14.614645f, -14.614645f};
    float[] scaled = euler.scaleModelInput(sample, 0);
    assertThat(scaled[0])
        .isCloseTo(
            (float) (14.614645 / Math.sqrt(14.614645 * 14.614645 + 1)),
            org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(sample[0]).isEqualTo(14.614645f); // input untouched
    Scheduler ddim = Schedulers.create(SchedulerKind.DDIM, SD15, 4);
    assertThat(ddim.scaleModelInput(sample, 0)).isSameAs(sample);
    assertThat(ddim.order()).isEqualTo(1);
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}

package atelier.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import org.junit.jupiter.api.Test;

class SchedulerKindTest {
  @Test
  void lookupTakesNamesAndAliases() {
    assertThat(SchedulerKind.lookup("euler")).isEqualTo(SchedulerKind.EULER);
    assertThat(SchedulerKind.lookup(" Euler_A ")).isEqualTo(SchedulerKind.EULER_ANCESTRAL);
    assertThat(SchedulerKind.lookup("euler-ancestral")).isEqualTo(SchedulerKind.EULER_ANCESTRAL);
    assertThat(SchedulerKind.lookup("dpmpp2m")).isEqualTo(SchedulerKind.DPMPP_2M);
    assertThat(SchedulerKind.lookup("DPMPP-2M")).isEqualTo(SchedulerKind.DPMPP_2M);
    assertThat(SchedulerKind.lookup("dpm++2m-karras")).isEqualTo(SchedulerKind.DPMPP_2M_KARRAS);
    assertThat(SchedulerKind.lookup("lcm")).isEqualTo(SchedulerKind.LCM);
    assertThat(SchedulerKind.lookup("plms")).isEqualTo(SchedulerKind.PNDM);
    for (SchedulerKind kind : SchedulerKind.values()) {
      assertThat(SchedulerKind.lookup(kind.cliName())).isEqualTo(kind);
      assertThat(kind.toString()).isEqualTo(kind.cliName());
    }
  }

  @Test
  void unknownNamesListTheValidOnes() {
    assertThatThrownBy(() -> SchedulerKind.lookup("heun"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "scheduler: expected one of [euler, euler-a, ddim, dpm++2m, dpm++2m-karras, lcm,"
                + " pndm], found \"heun\"");
    assertThatThrownBy(() -> SchedulerKind.lookup(null)).isInstanceOf(BadRequestException.class);
  }

  @Test
  void aModelsOwnKindComesFromItsClassName() {
    assertThat(SchedulerKind.forConfig(SchedulerConfig.parse(SchedulerConfigTest.SD15, "sd15")))
        .contains(SchedulerKind.PNDM);
    assertThat(
            SchedulerKind.forConfig(
                SchedulerConfig.empty().with("_class_name", "EulerDiscreteScheduler")))
        .contains(SchedulerKind.EULER);
    assertThat(
            SchedulerKind.forConfig(
                SchedulerConfig.empty().with("_class_name", "UniPCMultistepScheduler")))
        .isEmpty();
    assertThat(SchedulerKind.forConfig(SchedulerConfig.empty())).isEmpty();
  }
}

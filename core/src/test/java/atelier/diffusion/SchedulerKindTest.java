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
  void lookupTakesA1111NamesIgnoringCaseAndSpaces() {
    assertThat(SchedulerKind.lookup("Euler a")).isEqualTo(SchedulerKind.EULER_ANCESTRAL);
    assertThat(SchedulerKind.lookup("EULER A")).isEqualTo(SchedulerKind.EULER_ANCESTRAL);
    assertThat(SchedulerKind.lookup("Eulera")).isEqualTo(SchedulerKind.EULER_ANCESTRAL);
    assertThat(SchedulerKind.lookup("Euler")).isEqualTo(SchedulerKind.EULER);
    assertThat(SchedulerKind.lookup("DDIM")).isEqualTo(SchedulerKind.DDIM);
    assertThat(SchedulerKind.lookup("LCM")).isEqualTo(SchedulerKind.LCM);
    assertThat(SchedulerKind.lookup("PLMS")).isEqualTo(SchedulerKind.PNDM);
    assertThat(SchedulerKind.lookup("DPM++ 2M")).isEqualTo(SchedulerKind.DPMPP_2M);
    assertThat(SchedulerKind.lookup("DPM++ 2M Karras")).isEqualTo(SchedulerKind.DPMPP_2M_KARRAS);
    assertThat(SchedulerKind.lookup(" dpm++  2m\tkarras "))
        .isEqualTo(SchedulerKind.DPMPP_2M_KARRAS);
    assertThat(SchedulerKind.lookup("k_dpmpp_2m_ka")).isEqualTo(SchedulerKind.DPMPP_2M_KARRAS);
    for (SchedulerKind kind : SchedulerKind.values()) {
      assertThat(SchedulerKind.lookup(kind.a1111Name())).isEqualTo(kind);
      assertThat(SchedulerKind.lookup(kind.a1111Name().toUpperCase(java.util.Locale.ROOT)))
          .isEqualTo(kind);
      assertThat(SchedulerKind.lookup(kind.a1111Name().toLowerCase(java.util.Locale.ROOT)))
          .isEqualTo(kind);
      for (String alias : kind.aliases()) {
        assertThat(SchedulerKind.lookup(alias)).isEqualTo(kind);
      }
    }
  }

  @Test
  void namesAreUniqueAcrossKinds() {
    java.util.Map<String, SchedulerKind> seen = new java.util.HashMap<>();
    for (SchedulerKind kind : SchedulerKind.values()) {
      java.util.List<String> all = new java.util.ArrayList<>(kind.aliases());
      all.add(kind.cliName());
      all.add(kind.a1111Name());
      for (String name : all) {
        String key = name.toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", "");
        SchedulerKind before = seen.put(key, kind);
        assertThat(before == null || before == kind).as("%s names two kinds", name).isTrue();
      }
    }
  }

  @Test
  void a1111NamesAreTheOnesA1111Writes() {
    assertThat(SchedulerKind.a1111Names())
        .startsWith("Euler", "Euler a", "DDIM", "DPM++ 2M", "DPM++ 2M Karras", "LCM", "PLMS");
  }

  @Test
  void unknownNamesListTheValidOnes() {
    assertThatThrownBy(() -> SchedulerKind.lookup("DPM++ 3M"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("scheduler: expected one of [euler, euler-a, ddim, dpm++2m,")
        .hasMessageContaining(" or A1111's [Euler, Euler a, DDIM, DPM++ 2M, DPM++ 2M Karras,")
        .hasMessageEndingWith(", found \"DPM++ 3M\"");
    assertThatThrownBy(() -> SchedulerKind.lookup(null)).isInstanceOf(BadRequestException.class);
    assertThatThrownBy(() -> SchedulerKind.lookup("  ")).isInstanceOf(BadRequestException.class);
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

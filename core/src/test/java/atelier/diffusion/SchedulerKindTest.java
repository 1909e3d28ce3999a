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
                SchedulerConfig.empty().with("_class_name", "DEISMultistepScheduler")))
        .isEmpty();
    assertThat(SchedulerKind.forConfig(SchedulerConfig.empty())).isEmpty();
    SchedulerConfig dpm =
        SchedulerConfig.empty().with("_class_name", "DPMSolverMultistepScheduler");
    assertThat(SchedulerKind.forConfig(dpm.with("algorithm_type", "sde-dpmsolver++")))
        .contains(SchedulerKind.DPMPP_2M_SDE);
    assertThat(
            SchedulerKind.forConfig(
                dpm.with("algorithm_type", "sde-dpmsolver++").with("use_karras_sigmas", true)))
        .contains(SchedulerKind.DPMPP_2M_SDE_KARRAS);
    assertThat(SchedulerKind.forConfig(dpm.with("use_karras_sigmas", true)))
        .contains(SchedulerKind.DPMPP_2M_KARRAS);
    SchedulerConfig lms = SchedulerConfig.empty().with("_class_name", "LMSDiscreteScheduler");
    assertThat(SchedulerKind.forConfig(lms)).contains(SchedulerKind.LMS);
    assertThat(SchedulerKind.forConfig(lms.with("use_karras_sigmas", true)))
        .contains(SchedulerKind.LMS_KARRAS);
    SchedulerConfig dpm2 = SchedulerConfig.empty().with("_class_name", "KDPM2DiscreteScheduler");
    assertThat(SchedulerKind.forConfig(dpm2)).contains(SchedulerKind.DPM2);
    assertThat(SchedulerKind.forConfig(dpm2.with("use_karras_sigmas", true)))
        .contains(SchedulerKind.DPM2_KARRAS);
    assertThat(
            SchedulerKind.forConfig(
                SchedulerConfig.empty().with("_class_name", "HeunDiscreteScheduler")))
        .contains(SchedulerKind.HEUN);
    assertThat(
            SchedulerKind.forConfig(
                SchedulerConfig.empty().with("_class_name", "UniPCMultistepScheduler")))
        .contains(SchedulerKind.UNIPC);
  }

  @Test
  void theNewSamplersAnswerToA1111sNames() {
    assertThat(SchedulerKind.lookup("DPM++ 2M SDE")).isEqualTo(SchedulerKind.DPMPP_2M_SDE);
    assertThat(SchedulerKind.lookup("DPM++ 2M SDE Karras"))
        .isEqualTo(SchedulerKind.DPMPP_2M_SDE_KARRAS);
    assertThat(SchedulerKind.lookup("UniPC")).isEqualTo(SchedulerKind.UNIPC);
    assertThat(SchedulerKind.lookup("Heun")).isEqualTo(SchedulerKind.HEUN);
    assertThat(SchedulerKind.lookup("LMS")).isEqualTo(SchedulerKind.LMS);
    assertThat(SchedulerKind.lookup("lms karras")).isEqualTo(SchedulerKind.LMS_KARRAS);
    assertThat(SchedulerKind.lookup("DPM2")).isEqualTo(SchedulerKind.DPM2);
    assertThat(SchedulerKind.lookup("DPM2 Karras")).isEqualTo(SchedulerKind.DPM2_KARRAS);
    assertThat(SchedulerKind.lookup("k_dpm_2_ka")).isEqualTo(SchedulerKind.DPM2_KARRAS);
    // A1111's DPM++ SDE (Karras) needs torchsde's Brownian tree, which Atelier does not offer
    assertThatThrownBy(() -> SchedulerKind.lookup("DPM++ SDE Karras"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith(
            "scheduler: A1111's DPM++ SDE (Karras) is not offered (diffusers samples it with"
                + " torchsde's Brownian tree")
        .hasMessageContaining("expected one of [euler,")
        .hasMessageEndingWith("found \"DPM++ SDE Karras\"");
  }

  @Test
  void uniPcRefusesWhatItDoesNotImplement() {
    SchedulerConfig unipc = SchedulerConfig.empty().with("_class_name", "UniPCMultistepScheduler");
    assertThatThrownBy(
            () -> Schedulers.create(SchedulerKind.UNIPC, unipc.with("predict_x0", false), 4))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("predict_x0=false")
        .hasMessageContaining("(expected true)");
    assertThatThrownBy(
            () ->
                Schedulers.create(
                    SchedulerKind.UNIPC, unipc.with("disable_corrector", new float[] {0}), 4))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining(
            "key \"disable_corrector\": expected [] (the corrector on every step), found [0.0]");
    assertThat(Schedulers.create(SchedulerKind.UNIPC, unipc.with("solver_type", "bh1"), 4))
        .isNotNull();
  }
}

package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.diffusion.SchedulerKind;
import org.junit.jupiter.api.Test;

class InfotextSamplerTest {
  @Test
  void theSamplerIsWrittenWithItsA1111NameAndReadsBack() {
    assertThat(Infotext.samplerName("euler-a")).isEqualTo("Euler a");
    assertThat(Infotext.samplerName("dpm++2m-karras")).isEqualTo("DPM++ 2M Karras");
    assertThat(Infotext.samplerName("pndm")).isEqualTo("PLMS");
    for (SchedulerKind kind : SchedulerKind.values()) {
      assertThat(Infotext.samplerName(kind.cliName())).isEqualTo(kind.a1111Name());
      assertThat(SchedulerKind.lookup(Infotext.samplerName(kind.cliName()))).isEqualTo(kind);
    }
  }
}

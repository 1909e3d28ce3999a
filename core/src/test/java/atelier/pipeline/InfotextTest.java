package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A1111's parameters text read back: quoting, the negative prompt, the settings line. */
class InfotextTest {
  @Test
  void readsQuotedValuesMultiLinePromptsAndTheSettingsLine() {
    Infotext.Parsed p =
        Infotext.parse(
            "a castle,\non a hill\nNegative prompt: fog\nrain\nSteps: 20, Sampler: Euler a,"
                + " Lora hashes: \"add_detail: 7c6b, x: \\\"y\\\"\", Seed: 5");
    assertThat(p.prompt()).isEqualTo("a castle,\non a hill");
    assertThat(p.negativePrompt()).isEqualTo("fog\nrain");
    assertThat(p.params())
        .containsExactly(
            java.util.Map.entry("Steps", "20"),
            java.util.Map.entry("Sampler", "Euler a"),
            java.util.Map.entry("Lora hashes", "add_detail: 7c6b, x: \"y\""),
            java.util.Map.entry("Seed", "5"));
  }

  @Test
  void aLastLineWithFewerThanThreeSettingsIsPrompt() {
    Infotext.Parsed p = Infotext.parse("a photo\nstyle: art deco, mood: calm");
    assertThat(p.prompt()).isEqualTo("a photo\nstyle: art deco, mood: calm");
    assertThat(p.params()).isEmpty();
  }

  @Test
  void a1111SamplerNamesMapToAtelierSchedulers() {
    assertThat(Infotext.schedulerFor("Euler a")).hasValue("euler-a");
    assertThat(Infotext.schedulerFor("dpm++ 2m karras")).hasValue("dpm++2m-karras");
    assertThat(Infotext.schedulerFor("PLMS")).hasValue("pndm");
    assertThat(Infotext.schedulerFor("DDIM")).hasValue("ddim");
    assertThat(Infotext.schedulerFor("Restart")).isEmpty();
  }

  @Test
  void aRecordMadeBeforeClipSkipReadsAsClipSkipOne() throws Exception {
    String old =
        "{\"prompt\":\"a\",\"negativePrompt\":\"\",\"width\":64,\"height\":64,\"steps\":2,"
            + "\"guidance\":7.5,\"scheduler\":\"euler\",\"eta\":0.0,\"seed\":3,\"batch\":1,"
            + "\"fit\":\"cover\"}";
    GenerationSettings s = ArtworkPng.json().readValue(old, GenerationSettings.class);
    assertThat(s.clipSkip()).isEqualTo(1);
    assertThat(s.varies()).isFalse();
    assertThat(s.forImage(1).seed()).isEqualTo(4);
    assertThat(List.of(s.subseed() == null, s.subseedStrength() == null)).containsOnly(true);
  }
}

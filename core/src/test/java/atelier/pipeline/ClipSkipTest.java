package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.diffusion.SchedulerKind;
import atelier.model.ClipSkipRewriter;
import atelier.model.SessionSettings;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A1111's clip skip against the torch text encoders (tools/reference/clip_skip.py): the
 * hidden_states[-N] of the tiny models' own modules through the final layer norm, to 1e-4.
 */
class ClipSkipTest {
  private static JsonNode reference() throws Exception {
    try (InputStream in = ClipSkipTest.class.getResourceAsStream("/reference/clip_skip.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  @Test
  void everySkipMatchesTheTorchEncoder() throws Exception {
    JsonNode ref = reference();
    int[] ids = new int[ref.get("ids").size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = ref.get("ids").get(i).asInt();
    }
    int tokens = ref.get("tokens").asInt();
    int checked = 0;
    for (JsonNode c : ref.get("cases")) {
      String name = c.get("model").asText();
      int layers = c.get("layers").asInt();
      try (TextEncoder te =
          TextEncoder.open(
              TestPaths.tinyModel(name).resolve("text_encoder/model.onnx"), SessionSettings.CPU)) {
        for (int skip = 1; skip <= layers + 1; skip++) {
          JsonNode expected = c.get("skips").get(Integer.toString(skip));
          float[] h = te.encode(List.of(ids), skip).get(0);
          for (int i = 0; i < expected.size(); i++) {
            assertThat((double) h[i])
                .as("%s skip %d value %d", name, skip, i)
                .isCloseTo(expected.get(i).asDouble(), within(1e-4));
          }
          assertThat(expected.size()).isEqualTo(tokens * c.get("hidden").asInt());
          checked++;
        }
        int tooMany = layers + 2;
        assertThatThrownBy(() -> te.encode(List.of(ids), tooMany))
            .isInstanceOf(BadRequestException.class)
            .hasMessageContaining("has " + layers + " layers; expected 1 to " + (layers + 1))
            .hasMessageContaining("found " + tooMany);
      }
    }
    assertThat(checked).isEqualTo(9);
  }

  @Test
  void skipTwoDiffersFromTheLastLayer() throws Exception {
    JsonNode c = reference().get("cases").get(0);
    assertThat(c.get("skips").get("2")).isNotEqualTo(c.get("skips").get("1"));
  }

  @Test
  void anOliveGraphWithFusedLayerNormsIsFoundToo() throws Exception {
    byte[] graph =
        Files.readAllBytes(
            TestPaths.tinyModel("sd15-olive-fp16").resolve("text_encoder/model.onnx"));
    ClipSkipRewriter.Rewritten r = ClipSkipRewriter.rewrite(graph, "last_hidden_state");
    assertThat(r.layers()).isEqualTo(2);
    assertThat(r.model().length).isGreaterThan(graph.length);
  }

  @Test
  void aGraphWithoutTheOutputIsRefusedWithItsName() throws Exception {
    byte[] graph =
        Files.readAllBytes(
            TestPaths.tinyModel("sd15-optimum-1.22").resolve("text_encoder/model.onnx"));
    assertThatThrownBy(() -> ClipSkipRewriter.rewrite(graph, "hidden"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected an output 'hidden'");
    assertThatThrownBy(() -> ClipSkipRewriter.rewrite(new byte[] {1, 2, 3}, "last_hidden_state"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aGenerationRecordsItsClipSkipAndSkipOneIsTheDefault() {
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel("sd15-optimum-1.22"), SessionSettings.CPU)) {
      GenerationRequest.Builder b =
          GenerationRequest.builder("a castle")
              .steps(2)
              .scheduler(SchedulerKind.EULER)
              .guidance(7.5)
              .seed(3L);
      Artwork plain =
          sd.generate(b.build(), ProgressListener.NONE, CancelToken.NONE).images().get(0);
      Artwork one =
          sd.generate(b.clipSkip(1).build(), ProgressListener.NONE, CancelToken.NONE)
              .images()
              .get(0);
      Artwork two =
          sd.generate(b.clipSkip(2).build(), ProgressListener.NONE, CancelToken.NONE)
              .images()
              .get(0);
      assertThat(one.latents()).isEqualTo(plain.latents());
      assertThat(two.latents()).isNotEqualTo(plain.latents());
      assertThat(plain.record().settings().clipSkip()).isEqualTo(1);
      assertThat(two.record().settings().clipSkip()).isEqualTo(2);
      assertThat(Infotext.format(two.record())).contains(", Clip skip: 2,");
      assertThat(Infotext.format(plain.record())).doesNotContain("Clip skip");
    }
  }

  @Test
  void aClipSkipOutsideA1111sRangeIsABadRequest() {
    assertThatThrownBy(() -> GenerationRequest.builder("x").clipSkip(13).build())
        .isInstanceOf(BadRequestException.class)
        .hasMessage("clip skip: expected 1 to 12 layers, found 13");
    assertThatThrownBy(() -> GenerationRequest.builder("x").clipSkip(0).build())
        .hasMessage("clip skip: expected 1 to 12 layers, found 0");
  }
}

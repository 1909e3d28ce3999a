package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.diffusion.SchedulerKind;
import atelier.diffusion.TorchGenerator;
import atelier.model.SessionSettings;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A1111's variation seeds: the slerp against tools/reference/variation_noise.py, and what a
 * strength of 0 and 1 make in a real run.
 */
class VariationNoiseTest {
  @Test
  void slerpMatchesTheReference() throws Exception {
    JsonNode ref;
    try (InputStream in = getClass().getResourceAsStream("/reference/variation_noise.json")) {
      ref = new ObjectMapper().readTree(in);
    }
    int c = ref.get("shape").get(0).asInt();
    int h = ref.get("shape").get(1).asInt();
    int w = ref.get("shape").get(2).asInt();
    int n = c * h * w;
    for (JsonNode k : ref.get("cases")) {
      float[] low = TorchGenerator.cpu(k.get("seed").asLong()).randn(n);
      float[] high = TorchGenerator.cpu(k.get("subseed").asLong()).randn(n);
      float[] got = VariationNoise.slerp(k.get("strength").asDouble(), low, high, c, h, w);
      JsonNode want = k.get("noise");
      assertThat(want.size()).isEqualTo(n);
      for (int i = 0; i < n; i++) {
        assertThat((double) got[i])
            .as("%s value %d", k, i)
            .isCloseTo(want.get(i).asDouble(), within(1e-5));
      }
    }
  }

  private static GenerationRequest.Builder request(long seed) {
    return GenerationRequest.builder("a castle")
        .steps(2)
        .scheduler(SchedulerKind.DDIM) // deterministic: the start noise decides the image
        .guidance(7.5)
        .seed(seed);
  }

  @Test
  void strengthZeroIsThePlainSeedAndOneIsTheVariationSeedsNoise() {
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel("sd15-optimum-1.22"), SessionSettings.CPU)) {
      float[] plain42 = run(sd, request(42).build()).get(0).latents();
      float[] plain7 = run(sd, request(7).build()).get(0).latents();
      float[] zero = run(sd, request(42).variation(7L, 0.0).build()).get(0).latents();
      float[] one = run(sd, request(42).variation(7L, 1.0).build()).get(0).latents();
      float[] half = run(sd, request(42).variation(7L, 0.5).build()).get(0).latents();
      assertThat(zero).isEqualTo(plain42);
      for (int i = 0; i < one.length; i++) {
        assertThat(one[i]).isCloseTo(plain7[i], within(1e-4f));
      }
      assertThat(half).isNotEqualTo(plain42).isNotEqualTo(plain7);
    }
  }

  @Test
  void aBatchWithVariationKeepsTheSeedAndStepsTheVariationSeedAsA1111() {
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel("sd15-optimum-1.22"), SessionSettings.CPU)) {
      List<Artwork> batch = run(sd, request(42).variation(7L, 0.3).batch(2).build());
      GenerationSettings second = batch.get(1).record().settings();
      assertThat(second.seed()).isEqualTo(42);
      assertThat(second.subseed()).isEqualTo(8L);
      assertThat(second.subseedStrength()).isEqualTo(0.3);
      assertThat(run(sd, request(42).variation(8L, 0.3).build()).get(0).latents())
          .isEqualTo(batch.get(1).latents());
      assertThat(Infotext.format(batch.get(1).record()))
          .contains("Seed: 42,", "Variation seed: 8, Variation seed strength: 0.3,");
      GenerationSettings random =
          run(sd, request(42).variation(null, 0.3).build()).get(0).record().settings();
      assertThat(random.subseed()).isBetween(0L, 0xFFFF_FFFFL);
    }
  }

  @Test
  void badVariationSettingsAreBadRequests() {
    assertThatThrownBy(() -> request(1).variation(7L, 1.5).build())
        .isInstanceOf(BadRequestException.class)
        .hasMessage("subseed strength: expected 0 to 1, found 1.5");
    assertThatThrownBy(() -> request(1).variation(7L, null).build())
        .hasMessageStartingWith("subseed: applies with a subseed strength;");
    assertThatThrownBy(() -> request(1).variation(-2L, 0.5).build())
        .hasMessage("subseed: expected 0 to 4294967295 (or -1 for a random one), found -2");
  }

  private static List<Artwork> run(StableDiffusion sd, GenerationRequest r) {
    return sd.generate(r, ProgressListener.NONE, CancelToken.NONE).images();
  }
}

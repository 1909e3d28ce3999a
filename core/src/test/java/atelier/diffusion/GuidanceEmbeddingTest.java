package atelier.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Against diffusers' own {@code LatentConsistencyModelPipeline.get_guidance_scale_embedding}, run
 * with torch 1.13 by {@code tools/reference/guidance_embedding.py} (diffusers commit recorded in
 * the JSON), with w = guidance − 1 as the pipeline passes it.
 */
class GuidanceEmbeddingTest {

  @Test
  void matchesDiffusers() throws Exception {
    JsonNode root;
    try (InputStream in = getClass().getResourceAsStream("/reference/guidance_embedding.json")) {
      root = new ObjectMapper().readTree(in);
    }
    for (JsonNode c : root.get("cases")) {
      float[] got = GuidanceEmbedding.of(c.get("guidance").asDouble() - 1, c.get("dim").asInt());
      JsonNode want = c.get("values");
      assertThat(got).hasSize(want.size());
      for (int i = 0; i < got.length; i++) {
        // sin/cos of arguments up to 7000 rad in float32: allow a few float32 ulps of the argument.
        assertThat((double) got[i])
            .as("guidance %s index %d", c.get("guidance"), i)
            .isCloseTo(want.get(i).asDouble(), within(2e-3));
      }
    }
  }

  @Test
  void guidanceOneIsTheEmbeddingOfZero() {
    float[] e = GuidanceEmbedding.of(0, 8);
    assertThat(e).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
  }
}

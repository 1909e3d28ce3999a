package atelier.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import atelier.model.SessionSettings;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The graph that {@code tools/quality/aesthetic_to_onnx.py} makes from a LAION-style state_dict is
 * one {@link AestheticScorer} accepts, and it rates as the PyTorch module does. Reference: that
 * script's {@code --test-fixture} mode (torch 1.13, onnx 1.12): a randomly initialised state_dict
 * with the published keys (layers.0/2/4/6/7 weight and bias), saved to a .pth, converted through
 * the same path as the real sac+logos+ava1-l14-linearMSE.pth, then rated by the PyTorch module.
 */
class AestheticConversionTest {

  @Test
  void convertedGraphRatesAsThePyTorchModule() throws Exception {
    Path resources = TestPaths.repoRoot().resolve("core/src/test/resources/quality");
    Path fixture = resources.resolve("aesthetic-converted");
    JsonNode ref = new ObjectMapper().readTree(fixture.resolve("reference.json").toFile());
    // The tiny test CLIP has the fixture's embedding width (16), as ViT-L/14 has the real one's.
    try (ClipModel clip = ClipModel.open(resources.resolve("tiny-clip"), SessionSettings.CPU);
        AestheticScorer aesthetic =
            AestheticScorer.open(fixture.resolve("model.onnx"), clip, SessionSettings.CPU)) {
      JsonNode embeddings = ref.get("embeddings");
      assertThat(embeddings.size()).isEqualTo(3);
      for (int i = 0; i < embeddings.size(); i++) {
        float[] e = new float[embeddings.get(i).size()];
        for (int j = 0; j < e.length; j++) {
          e[j] = (float) embeddings.get(i).get(j).asDouble();
        }
        assertThat(aesthetic.rate(e))
            .as("embedding %d", i)
            .isCloseTo(ref.get("ratings").get(i).asDouble(), within(1e-5));
      }
    }
  }
}

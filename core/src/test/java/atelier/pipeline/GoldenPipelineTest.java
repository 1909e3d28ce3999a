package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.diffusion.SchedulerKind;
import atelier.model.ModelHasher;
import atelier.model.SessionSettings;
import atelier.testing.Golden;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java pipeline against the plain-PyTorch reference pipeline ({@code
 * tools/reference_pipeline.py}: diffusers' order of operations at commit 58eb52c, schedulers
 * bit-exact with diffusers, torch's CPU generator) over the same tiny models: same timesteps, final
 * latents within 1e-4 of their largest magnitude, pixels within one level (two at most) — the
 * tolerances the tools README measured between ONNX Runtime and PyTorch.
 */
class GoldenPipelineTest {

  static Stream<JsonNode> cases() {
    return Golden.cases().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesTheReferencePipeline(JsonNode c) throws Exception {
    Path model = TestPaths.tinyModel(c.get("model").asText());
    GenerationRequest.Builder b = request(c);
    GenerationResult result;
    try (StableDiffusion sd = StableDiffusion.load(model, SessionSettings.CPU)) {
      result = sd.generate(b.build(), ProgressListener.NONE, CancelToken.NONE);
    }
    JsonNode outputs = c.get("outputs");
    assertThat(result.images()).hasSize(outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      JsonNode o = outputs.get(i);
      Artwork art = result.images().get(i);
      assertThat(art.record().settings().seed()).isEqualTo(o.get("seed").asLong());
      double[] expectedTimesteps = new double[c.get("unet_timesteps").size()];
      for (int t = 0; t < expectedTimesteps.length; t++) {
        expectedTimesteps[t] = c.get("unet_timesteps").get(t).asDouble();
      }
      assertThat(art.record().timesteps()).containsExactly(expectedTimesteps);

      float[] want = Golden.floats(o.get("latents").asText());
      float diff = Golden.maxDiff(art.latents(), want);
      System.out.printf(
          "golden %s seed %s: max latent diff %.3g (%.3g of max |latent|)%n",
          c.get("id").asText(), o.get("seed"), diff, diff / Golden.maxAbs(want));
      assertThat(diff)
          .as(
              "%s seed %s: max latent difference vs max |latent| %s",
              c.get("id"), o.get("seed"), Golden.maxAbs(want))
          .isLessThanOrEqualTo(1e-4f * Golden.maxAbs(want));

      BufferedImage expected = ImageIO.read(Golden.dir().resolve(o.get("png").asText()).toFile());
      assertPixelsClose(art.image(), expected, c.get("id").asText());
    }
  }

  /** The request of a golden case (text-to-image or image-to-image from the case's basemap). */
  static GenerationRequest.Builder request(JsonNode c) throws IOException {
    GenerationRequest.Builder b =
        GenerationRequest.builder(c.get("prompt").asText())
            .negativePrompt(c.get("negative").asText(""))
            .size(c.get("width").asInt(), c.get("height").asInt())
            .steps(c.get("steps").asInt())
            .guidance(c.get("guidance").asDouble())
            .scheduler(SchedulerKind.lookup(c.get("scheduler").asText()))
            .eta(c.get("eta").asDouble())
            .seed(c.get("seed").asLong())
            .batch(c.get("batch").asInt());
    if (c.get("mode").asText().equals("img2img")) {
      Path init = Golden.dir().resolve(c.get("init").asText());
      b.init(
              new InitImage(
                  ImageIO.read(init.toFile()), init.toString(), ModelHasher.sha256Of(init)))
          .strength(c.get("strength").asDouble());
    }
    return b;
  }

  static void assertPixelsClose(BufferedImage got, BufferedImage want, String label) {
    atelier.testing.PixelAssert.assertPixelsClose(got, want, label);
  }
}

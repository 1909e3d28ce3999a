package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.model.SafeTensors;
import atelier.model.SessionSettings;
import atelier.model.checkpoint.CheckpointConverter;
import atelier.model.checkpoint.CheckpointPlan;
import atelier.model.checkpoint.CheckpointTemplate;
import atelier.testing.Golden;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A converted checkpoint makes the reference pipeline's images: the tiny checkpoints hold exactly
 * the weights of the tiny ONNX test models {@code sd15-optimum-1.22} and {@code sd21v-optimum}
 * ({@code tools/checkpoint/make_checkpoints.py}), so the folder Atelier converts them into must
 * reproduce those models' golden cases ({@code tools/reference_pipeline.py}) with the tolerances of
 * {@link GoldenPipelineTest}: same timesteps, latents within 1e-4 of their largest magnitude,
 * pixels within one level.
 */
class CheckpointGoldenTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0} as {1}")
  @CsvSource({
    "tiny-sd1.safetensors, c-sd15-optimum-euler-a",
    "tiny-sd1.safetensors, b-sd15-optimum-ddim",
    "tiny-sd2-v.safetensors, d-sd21v-dpmpp2m",
    "tiny-sd2-v.safetensors, h-sd21v-img2img-ddim"
  })
  void theConvertedModelMakesTheGoldenImages(String checkpoint, String caseId) throws Exception {
    Path folder = tmp.resolve("model");
    try (SafeTensors st =
        SafeTensors.open(
            TestPaths.repoRoot()
                .resolve("core/src/test/resources/checkpoints")
                .resolve(checkpoint))) {
      CheckpointPlan plan = CheckpointPlan.inspect(st, null, null, CheckpointTemplate.available());
      CheckpointConverter.write(plan, folder, (f, b, t) -> {}, CancelToken.NONE);
    }
    JsonNode c = Golden.byId(caseId);
    GenerationRequest.Builder b = GoldenPipelineTest.request(c);
    GenerationResult result;
    try (StableDiffusion sd = StableDiffusion.load(folder, SessionSettings.CPU)) {
      result = sd.generate(b.build(), ProgressListener.NONE, CancelToken.NONE);
    }
    JsonNode outputs = c.get("outputs");
    assertThat(result.images()).hasSize(outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      JsonNode o = outputs.get(i);
      Artwork art = result.images().get(i);
      double[] expectedTimesteps = new double[c.get("unet_timesteps").size()];
      for (int t = 0; t < expectedTimesteps.length; t++) {
        expectedTimesteps[t] = c.get("unet_timesteps").get(t).asDouble();
      }
      assertThat(art.record().timesteps()).containsExactly(expectedTimesteps);
      float[] want = Golden.floats(o.get("latents").asText());
      float diff = Golden.maxDiff(art.latents(), want);
      assertThat(diff)
          .as("%s from %s: max latent difference", caseId, checkpoint)
          .isLessThanOrEqualTo(1e-4f * Golden.maxAbs(want));
      BufferedImage expected = ImageIO.read(Golden.dir().resolve(o.get("png").asText()).toFile());
      GoldenPipelineTest.assertPixelsClose(art.image(), expected, caseId + " from " + checkpoint);
    }
  }
}

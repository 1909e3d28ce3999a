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
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ControlNet against the plain-PyTorch StableDiffusionControlNetPipeline reference ({@code
 * tools/reference_controlnet.py}: diffusers' order of operations at commit 58eb52c over the tiny
 * models of {@code tools/make_tiny_controlnet.py}): one ControlNet, two with start-end ranges, and
 * guess mode, each in the separate style (ControlNet graphs + OnnxStack's residual UNet) and, where
 * the fused graph can express it, the fused style (diffusers' ONNX conversion); final latents
 * within 1e-4 of their largest magnitude and pixels within one level, as {@link
 * GoldenPipelineTest}.
 */
class ControlNetGoldenTest {
  static final Path DIR = TestPaths.repoRoot().resolve("core/src/test/resources/golden-control");
  static final Path IMAGES = TestPaths.repoRoot().resolve("core/src/test/resources/control-images");

  static Stream<JsonNode> separate() {
    return cases().stream();
  }

  static Stream<JsonNode> fused() {
    return cases().stream().filter(c -> !c.get("guess_mode").asBoolean());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("separate")
  void separateControlNetsMatchTheReference(JsonNode c) throws Exception {
    check(c, "sd15-controlnet-onnxstack", false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fused")
  void fusedControlNetsMatchTheReference(JsonNode c) throws Exception {
    check(c, "sd15-controlnet-fused", true);
  }

  private static void check(JsonNode c, String modelName, boolean fused) throws Exception {
    List<ControlInput> inputs = new ArrayList<>();
    for (JsonNode k : c.get("controls")) {
      Path image = IMAGES.resolve(k.get("image").asText());
      String net = k.get("net").asText();
      InitImage img =
          new InitImage(
              ImageIO.read(image.toFile()), image.toString(), ModelHasher.sha256Of(image));
      Path path = fused ? null : TestPaths.tinyModel("controlnet-tiny-" + net);
      int slot = fused ? (net.equals("a") ? 1 : 2) : 0;
      inputs.add(
          new ControlInput(
              fused ? String.valueOf(slot) : "controlnet-tiny-" + net,
              path,
              slot,
              img,
              k.get("scale").asDouble(),
              k.get("start").asDouble(),
              k.get("end").asDouble()));
    }
    GenerationRequest request =
        GenerationRequest.builder(c.get("prompt").asText())
            .negativePrompt(c.get("negative").asText())
            .size(c.get("width").asInt(), c.get("height").asInt())
            .steps(c.get("steps").asInt())
            .guidance(c.get("guidance").asDouble())
            .scheduler(SchedulerKind.lookup(c.get("scheduler").asText()))
            .seed(c.get("seed").asLong())
            .controls(new Controls(inputs, c.get("guess_mode").asBoolean()))
            .build();
    GenerationResult result;
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel(modelName), SessionSettings.CPU)) {
      result = sd.generate(request, ProgressListener.NONE, CancelToken.NONE);
    }
    Artwork art = result.images().get(0);
    float[] want = floats(c.get("latents").asText());
    float diff = Golden.maxDiff(art.latents(), want);
    System.out.printf(
        "control golden %s (%s): max latent diff %.3g of max |latent| %.3g%n",
        c.get("id").asText(), modelName, diff, Golden.maxAbs(want));
    assertThat(diff)
        .as("%s on %s: max latent difference", c.get("id"), modelName)
        .isLessThanOrEqualTo(1e-4f * Golden.maxAbs(want));
    GoldenPipelineTest.assertPixelsClose(
        art.image(),
        ImageIO.read(DIR.resolve(c.get("png").asText()).toFile()),
        c.get("id").asText());
    assertThat(art.record().warnings()).anyMatch(n -> n.startsWith("controlnet "));
  }

  static List<JsonNode> cases() {
    try {
      JsonNode root = new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile());
      List<JsonNode> out = new ArrayList<>();
      root.get("cases").forEach(out::add);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static float[] floats(String file) throws IOException {
    ByteBuffer b =
        ByteBuffer.wrap(Files.readAllBytes(DIR.resolve(file))).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / 4];
    b.asFloatBuffer().get(f);
    return f;
  }
}

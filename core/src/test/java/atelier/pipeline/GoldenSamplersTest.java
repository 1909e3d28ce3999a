package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.CancelToken;
import atelier.diffusion.SchedulerKind;
import atelier.model.ModelHasher;
import atelier.model.SessionSettings;
import atelier.testing.Golden;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The samplers added for A1111 parity (Heun, LMS, DPM2, UniPC, DPM++ 2M SDE, with Karras sigmas
 * where they have them) end to end on the tiny models, against the plain-PyTorch reference pipeline
 * driving diffusers' own scheduler classes ({@code tools/diffusion/sampler_pipeline_reference.py},
 * golden files in {@code core/src/test/resources/golden-samplers/}): the same UNet timesteps, final
 * latents within 1e-4 of their largest magnitude and pixels within one level, as {@link
 * GoldenPipelineTest} checks the others.
 */
class GoldenSamplersTest {
  private static final Path DIR =
      TestPaths.repoRoot().resolve("core/src/test/resources/golden-samplers");

  static Stream<JsonNode> cases() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    new ObjectMapper()
        .readTree(DIR.resolve("manifest.json").toFile())
        .get("cases")
        .forEach(out::add);
    return out.stream();
  }

  @Test
  void everyNewSamplerHasAGoldenCase() throws IOException {
    Set<SchedulerKind> kinds = EnumSet.noneOf(SchedulerKind.class);
    cases().forEach(c -> kinds.add(SchedulerKind.lookup(c.get("scheduler").asText())));
    assertThat(kinds)
        .containsExactlyInAnyOrder(
            SchedulerKind.HEUN,
            SchedulerKind.LMS,
            SchedulerKind.LMS_KARRAS,
            SchedulerKind.DPM2,
            SchedulerKind.DPM2_KARRAS,
            SchedulerKind.UNIPC,
            SchedulerKind.DPMPP_2M_SDE,
            SchedulerKind.DPMPP_2M_SDE_KARRAS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesTheReferencePipelineWithDiffusersSchedulers(JsonNode c) throws Exception {
    Path model = TestPaths.tinyModel(c.get("model").asText());
    SchedulerKind kind = SchedulerKind.lookup(c.get("scheduler").asText());
    GenerationRequest.Builder b =
        GenerationRequest.builder(c.get("prompt").asText())
            .negativePrompt(c.get("negative").asText(""))
            .size(c.get("width").asInt(), c.get("height").asInt())
            .steps(c.get("steps").asInt())
            .guidance(c.get("guidance").asDouble())
            .scheduler(kind)
            .seed(c.get("seed").asLong())
            .batch(c.get("batch").asInt());
    if (c.get("mode").asText().equals("img2img")) {
      Path init = DIR.resolve(c.get("init").asText());
      b.init(
              new InitImage(
                  ImageIO.read(init.toFile()), init.toString(), ModelHasher.sha256Of(init)))
          .strength(c.get("strength").asDouble());
    }
    List<int[]> progress = new ArrayList<>();
    GenerationResult result;
    try (StableDiffusion sd = StableDiffusion.load(model, SessionSettings.CPU)) {
      result =
          sd.generate(
              b.build(),
              p -> {
                if (p.stage() == atelier.Progress.Stage.DENOISE) {
                  progress.add(new int[] {p.step(), p.total()});
                }
              },
              CancelToken.NONE);
    }
    double[] unetTimesteps = new double[c.get("unet_timesteps").size()];
    for (int t = 0; t < unetTimesteps.length; t++) {
      unetTimesteps[t] = c.get("unet_timesteps").get(t).asDouble();
    }
    // the progress bar counts UNet calls: Heun's and DPM2's steps take two
    assertThat(progress.get(progress.size() - 1))
        .containsExactly(unetTimesteps.length, unetTimesteps.length);
    JsonNode outputs = c.get("outputs");
    assertThat(result.images()).hasSize(outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      JsonNode o = outputs.get(i);
      Artwork art = result.images().get(i);
      assertThat(art.record().settings().seed()).isEqualTo(o.get("seed").asLong());
      assertThat(art.record().settings().scheduler()).isEqualTo(kind.cliName());
      assertThat(Infotext.format(art.record())).contains("Sampler: " + kind.a1111Name() + ",");
      // DPM2's midpoint timesteps interpolate in numpy's float32 log-sigma table, whose vectorised
      // log differs from Java's in the last bit for some entries (as for Euler's Karras
      // timesteps in SchedulerScheduleTest): ~1 float32 ulp; all others are identical
      assertThat(art.record().timesteps())
          .containsExactly(unetTimesteps, org.assertj.core.data.Offset.offset(2e-4));
      float[] want = floats(o.get("latents").asText());
      float diff = Golden.maxDiff(art.latents(), want);
      System.out.printf(
          "golden-samplers %s seed %s: max latent diff %.3g (%.3g of max |latent|)%n",
          c.get("id").asText(), o.get("seed"), diff, diff / Golden.maxAbs(want));
      assertThat(diff)
          .as("%s seed %s: max latent difference", c.get("id"), o.get("seed"))
          .isLessThanOrEqualTo(1e-4f * Golden.maxAbs(want));
      GoldenPipelineTest.assertPixelsClose(
          art.image(),
          ImageIO.read(DIR.resolve(o.get("png").asText()).toFile()),
          c.get("id").asText());
    }
  }

  private static float[] floats(String file) throws IOException {
    ByteBuffer b =
        ByteBuffer.wrap(Files.readAllBytes(DIR.resolve(file))).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / 4];
    b.asFloatBuffer().get(f);
    return f;
  }
}

package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.diffusion.SchedulerKind;
import atelier.model.ModelHasher;
import atelier.model.SessionSettings;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Inpainting against the plain-PyTorch reference ({@code tools/reference_inpaint.py}: diffusers'
 * StableDiffusionInpaintPipeline at commit 58eb52c for the 9-channel UNet and its legacy blend for
 * 4-channel UNets, A1111's mask blur and paste-back), over the tiny models: the same timesteps,
 * mask blur and latent mask exactly, final latents within 1e-4 of their largest magnitude, pixels
 * within one level (as {@link GoldenPipelineTest}).
 */
class InpaintGoldenTest {
  static final Path DIR = TestPaths.repoRoot().resolve("core/src/test/resources/golden-inpaint");

  static JsonNode manifest() throws IOException {
    return new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile());
  }

  /** The cases with a mask. */
  static Stream<JsonNode> cases() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    manifest().get("cases").forEach(out::add);
    return out.stream()
        .filter(c -> !c.path("whole").asBoolean(false) && c.path("control").asText("").isEmpty());
  }

  /** The cases with a ControlNet in front of the inpainting UNet. */
  static Stream<JsonNode> controlCases() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    manifest().get("cases").forEach(out::add);
    return out.stream().filter(c -> !c.path("control").asText("").isEmpty());
  }

  /** The cases of an inpainting model without a mask (the whole image repainted). */
  static Stream<JsonNode> wholeImageCases() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    manifest().get("cases").forEach(out::add);
    return out.stream().filter(c -> c.path("whole").asBoolean(false));
  }

  static float[] floats(String file) throws IOException {
    ByteBuffer b =
        ByteBuffer.wrap(Files.readAllBytes(DIR.resolve(file))).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / 4];
    b.asFloatBuffer().get(f);
    return f;
  }

  static GenerationRequest request(JsonNode c, boolean pasteBack) throws IOException {
    Path init = DIR.resolve("basemap-64.png");
    Path mask = DIR.resolve("mask-64.png");
    InpaintSettings s =
        new InpaintSettings(
            mask.toString(),
            ModelHasher.sha256Of(mask),
            c.get("blur").asInt(),
            c.get("fill").asText(),
            false,
            null,
            pasteBack,
            c.get("invert").asBoolean(),
            null);
    return GenerationRequest.builder(c.get("prompt").asText())
        .negativePrompt(c.get("negative").asText(""))
        .size(c.get("width").asInt(), c.get("height").asInt())
        .steps(c.get("steps").asInt())
        .guidance(c.get("guidance").asDouble())
        .scheduler(SchedulerKind.lookup(c.get("scheduler").asText()))
        .seed(c.get("seed").asLong())
        .batch(c.get("batch").asInt())
        .init(
            new InitImage(ImageIO.read(init.toFile()), init.toString(), ModelHasher.sha256Of(init)))
        .strength(c.get("strength").asDouble())
        .inpaint(new Inpaint(ImageIO.read(mask.toFile()), s))
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesTheReference(JsonNode c) throws Exception {
    GenerationRequest request = request(c, true);
    // the mask as prepared: blurred values and the latent mask exactly
    InpaintMask.Plane grey = InpaintMask.grey(request.inpaint().mask());
    if (c.get("invert").asBoolean()) {
      grey = InpaintMask.invert(grey);
    }
    long sum = 0;
    for (int v : InpaintMask.blur(grey, c.get("blur").asInt()).values()) {
      sum += v;
    }
    assertThat(sum).isEqualTo(c.get("mask_stats").get("blurred_sum").asLong());
    GenerationResult result;
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel(c.get("model").asText()), SessionSettings.CPU)) {
      assertThat(sd.info().unetInChannels()).isEqualTo(c.get("unet_in_channels").asInt());
      Inpainting prepared =
          Inpainting.prepare(
              sd.info().unetInChannels(),
              request,
              Generation.resolve(request, sd.info()),
              new ArrayList<>());
      assertThat(prepared.latentMask()).containsExactly(floats(c.get("latent_mask").asText()));
      result = sd.generate(request, ProgressListener.NONE, CancelToken.NONE);
    }
    JsonNode outputs = c.get("outputs");
    assertThat(result.images()).hasSize(outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      JsonNode o = outputs.get(i);
      Artwork art = result.images().get(i);
      assertThat(art.record().settings().seed()).isEqualTo(o.get("seed").asLong());
      List<Double> timesteps = new ArrayList<>();
      c.get("unet_timesteps").forEach(t -> timesteps.add(t.asDouble()));
      assertThat(art.record().timesteps())
          .containsExactly(timesteps.stream().mapToDouble(d -> d).toArray());
      float[] want = floats(o.get("latents").asText());
      float diff = atelier.testing.Golden.maxDiff(art.latents(), want);
      float max = atelier.testing.Golden.maxAbs(want);
      System.out.printf(
          "golden-inpaint %s seed %s: max latent diff %.3g (%.3g of max |latent|)%n",
          c.get("id").asText(), o.get("seed"), diff, diff / max);
      assertThat(diff)
          .as("%s seed %s: latents", c.get("id"), o.get("seed"))
          .isLessThanOrEqualTo(1e-4f * max);
      BufferedImage expected = ImageIO.read(DIR.resolve(o.get("png").asText()).toFile());
      GoldenPipelineTest.assertPixelsClose(art.image(), expected, c.get("id").asText());
      assertThat(art.record().settings().inpaint().blur()).isEqualTo(c.get("blur").asInt());
    }
  }

  /**
   * A 9-channel UNet without a mask (text-to-image, and image-to-image at strength 0.6): A1111's
   * txt2img/img2img conditioning of inpainting models, diffusers' inpainting pipeline with an
   * all-white mask; the timesteps, final latents and pixels as the reference's.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("wholeImageCases")
  void anInpaintingModelWithoutAMaskRepaintsTheWholeImageAsTheReference(JsonNode c)
      throws Exception {
    Path init = DIR.resolve("basemap-64.png");
    GenerationRequest.Builder b =
        GenerationRequest.builder(c.get("prompt").asText())
            .negativePrompt(c.get("negative").asText(""))
            .size(c.get("width").asInt(), c.get("height").asInt())
            .steps(c.get("steps").asInt())
            .guidance(c.get("guidance").asDouble())
            .scheduler(SchedulerKind.lookup(c.get("scheduler").asText()))
            .seed(c.get("seed").asLong())
            .batch(c.get("batch").asInt());
    if (c.get("init").asBoolean()) {
      b.init(
              new InitImage(
                  ImageIO.read(init.toFile()), init.toString(), ModelHasher.sha256Of(init)))
          .strength(c.get("strength").asDouble());
    }
    GenerationRequest request = b.build();
    GenerationResult result;
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel(c.get("model").asText()), SessionSettings.CPU)) {
      assertThat(sd.info().inpainting()).isTrue();
      result = sd.generate(request, ProgressListener.NONE, CancelToken.NONE);
    }
    JsonNode o = c.get("outputs").get(0);
    Artwork art = result.images().get(0);
    List<Double> timesteps = new ArrayList<>();
    c.get("unet_timesteps").forEach(t -> timesteps.add(t.asDouble()));
    assertThat(art.record().timesteps())
        .containsExactly(timesteps.stream().mapToDouble(d -> d).toArray());
    float[] want = floats(o.get("latents").asText());
    float diff = atelier.testing.Golden.maxDiff(art.latents(), want);
    float max = atelier.testing.Golden.maxAbs(want);
    System.out.printf(
        "golden-inpaint %s: max latent diff %.3g (%.3g of max |latent|)%n",
        c.get("id").asText(), diff, diff / max);
    assertThat(diff).as("%s: latents", c.get("id")).isLessThanOrEqualTo(1e-4f * max);
    GoldenPipelineTest.assertPixelsClose(
        art.image(),
        ImageIO.read(DIR.resolve(o.get("png").asText()).toFile()),
        c.get("id").asText());
    // the record is what was asked: no mask, no inpainting settings; the note says what happened
    assertThat(art.record().settings().inpaint()).isNull();
    assertThat(art.record().warnings())
        .anyMatch(w -> w.startsWith("an inpainting model without a mask: the whole image"));
  }

  /**
   * A ControlNet with a 9-channel inpainting UNet (the separate export style: the tiny ControlNet a
   * and the residual-input export of the tiny inpainting UNet): the ControlNet sees the 4 latent
   * channels, as diffusers' StableDiffusionControlNetInpaintPipeline feeds it; latents and pixels
   * as the reference's, and different from the same run without the ControlNet.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("controlCases")
  void aControlNetSteersAnInpaintingUnetAsTheReference(JsonNode c) throws Exception {
    Path image =
        TestPaths.repoRoot()
            .resolve("core/src/test/resources/control-images")
            .resolve(c.get("control_image").asText());
    String net = "controlnet-tiny-" + c.get("control").asText();
    ControlInput control =
        new ControlInput(
            net,
            TestPaths.tinyModel(net),
            0,
            new InitImage(
                ImageIO.read(image.toFile()), image.toString(), ModelHasher.sha256Of(image)),
            c.get("control_scale").asDouble(),
            0,
            1);
    GenerationRequest plain = request(c, true);
    GenerationRequest request =
        plain.toBuilder().controls(new Controls(List.of(control), false)).build();
    GenerationResult result;
    GenerationResult without;
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel(c.get("model").asText()), SessionSettings.CPU)) {
      assertThat(sd.info().inpainting()).isTrue();
      result = sd.generate(request, ProgressListener.NONE, CancelToken.NONE);
      without = sd.generate(plain, ProgressListener.NONE, CancelToken.NONE);
    }
    JsonNode o = c.get("outputs").get(0);
    Artwork art = result.images().get(0);
    float[] want = floats(o.get("latents").asText());
    float diff = atelier.testing.Golden.maxDiff(art.latents(), want);
    float max = atelier.testing.Golden.maxAbs(want);
    System.out.printf(
        "golden-inpaint %s: max latent diff %.3g (%.3g of max |latent|)%n",
        c.get("id").asText(), diff, diff / max);
    assertThat(diff).as("%s: latents", c.get("id")).isLessThanOrEqualTo(1e-4f * max);
    GoldenPipelineTest.assertPixelsClose(
        art.image(),
        ImageIO.read(DIR.resolve(o.get("png").asText()).toFile()),
        c.get("id").asText());
    float off = atelier.testing.Golden.maxDiff(without.images().get(0).latents(), want);
    assertThat(off).as("the ControlNet changes the latents").isGreaterThan(100 * diff);
    assertThat(art.record().settings().controls()).hasSize(1);
    assertThat(art.record().settings().inpaint().blur()).isEqualTo(c.get("blur").asInt());
  }

  /** A variation seed moves inpainting's start noise as it moves text-to-image's. */
  @Test
  void aVariationSeedChangesAnInpaintedImage() throws Exception {
    JsonNode c = cases().filter(n -> n.get("id").asText().startsWith("a-")).findFirst().get();
    GenerationRequest request = request(c, true).toBuilder().batch(1).variation(7L, 0.5).build();
    GenerationResult result;
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel(c.get("model").asText()), SessionSettings.CPU)) {
      result = sd.generate(request, ProgressListener.NONE, CancelToken.NONE);
    }
    float[] plain = floats(c.get("outputs").get(0).get("latents").asText());
    float diff = atelier.testing.Golden.maxDiff(result.images().get(0).latents(), plain);
    assertThat(diff).isGreaterThan(0.05f * atelier.testing.Golden.maxAbs(plain));
    assertThat(result.images().get(0).record().settings().subseed()).isEqualTo(7L);
  }

  @Test
  void withoutPasteBackTheDecoderOutputIsKept() throws Exception {
    JsonNode c = null;
    for (JsonNode n : manifest().get("cases")) {
      if (n.get("id").asText().startsWith("c-")) {
        c = n;
      }
    }
    GenerationResult result;
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel(c.get("model").asText()), SessionSettings.CPU)) {
      result = sd.generate(request(c, false), ProgressListener.NONE, CancelToken.NONE);
    }
    JsonNode o = c.get("outputs").get(0);
    BufferedImage raw = ImageIO.read(DIR.resolve(o.get("raw_png").asText()).toFile());
    GoldenPipelineTest.assertPixelsClose(result.images().get(0).image(), raw, "raw");
  }
}

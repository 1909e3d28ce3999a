package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.diffusion.SchedulerKind;
import atelier.model.SessionSettings;
import atelier.testing.TestPaths;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad ControlNet input: one clear error before any model work, or a note when it is fixed up. */
class ControlNetInputTest {
  static final Path A = TestPaths.tinyModel("controlnet-tiny-a");

  static InitImage image(int w, int h) {
    return new InitImage(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "edges.png", "00");
  }

  static ControlInput separate(String name, Path path) {
    return new ControlInput(name, path, 0, image(64, 64), 1.0, 0.0, 1.0);
  }

  static GenerationRequest request(Controls controls) {
    return GenerationRequest.builder("a fox")
        .steps(1)
        .guidance(2.0)
        .scheduler(SchedulerKind.lookup("euler"))
        .seed(1L)
        .controls(controls)
        .build();
  }

  @Test
  void aControlNetForAnotherUnetNamesBothAndTheirShapes() {
    Path narrow = TestPaths.tinyModel("controlnet-tiny-narrow");
    try (StableDiffusion sd =
        StableDiffusion.load(
            TestPaths.tinyModel("sd15-controlnet-onnxstack"), SessionSettings.CPU)) {
      assertThatThrownBy(
              () ->
                  sd.generate(
                      request(new Controls(List.of(separate("narrow", narrow)), false)),
                      ProgressListener.NONE,
                      CancelToken.NONE))
          .isInstanceOf(BadRequestException.class)
          .hasMessageContaining("control narrow: the ControlNet " + narrow.resolve("model.onnx"))
          .hasMessageContaining("channels [8, 8, 8, 16, 16]")
          .hasMessageContaining("controlnet/model.onnx takes 5 with channels [16, 16, 16, 32, 32]");
    }
  }

  @Test
  void anInpaintingModelWhoseControlNetUnetTakesFourChannelsNamesBoth(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // the 9-channel inpainting model with the 4-channel residual UNet of the plain model beside it
    Path model = dir.resolve("mixed");
    Path from = TestPaths.tinyModel("sd15-inpainting-optimum");
    try (var files = java.nio.file.Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        java.nio.file.Files.copy(p, model.resolve(from.relativize(p).toString()));
      }
    }
    Path residual = TestPaths.tinyModel("sd15-controlnet-onnxstack").resolve("controlnet");
    java.nio.file.Files.createDirectories(model.resolve("controlnet"));
    for (String f : List.of("model.onnx", "model.onnx_data")) {
      java.nio.file.Files.copy(residual.resolve(f), model.resolve("controlnet").resolve(f));
    }
    try (StableDiffusion sd = StableDiffusion.load(model, SessionSettings.CPU)) {
      assertThatThrownBy(
              () ->
                  sd.generate(
                      request(new Controls(List.of(separate("a", A)), false)),
                      ProgressListener.NONE,
                      CancelToken.NONE))
          .isInstanceOf(BadRequestException.class)
          .hasMessageContaining("takes 9 channels (an inpainting UNet) but its ControlNet UNet")
          .hasMessageContaining(model.resolve("controlnet/model.onnx") + " takes 4;");
    }
  }

  @Test
  void aControlImageOfAnotherSizeIsFittedWithANote() {
    ControlInput big = new ControlInput("a", A, 0, image(100, 80), 1.0, 0.0, 1.0);
    try (StableDiffusion sd =
        StableDiffusion.load(
            TestPaths.tinyModel("sd15-controlnet-onnxstack"), SessionSettings.CPU)) {
      Artwork art =
          sd.generate(
                  request(new Controls(List.of(big), false)),
                  ProgressListener.NONE,
                  CancelToken.NONE)
              .images()
              .get(0);
      assertThat(art.record().warnings())
          .contains("control image edges.png is 100×80; fitted to 64×64 (cover)");
    }
  }

  @Test
  void moreControlNetsThanAllowedFailBeforeAnyWork() {
    List<ControlInput> five = Collections.nCopies(Controls.MAX + 1, separate("a", A));
    assertThatThrownBy(() -> new Controls(five, false))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "control: expected at most 4 ControlNets per image (each one loads a model and runs"
                + " every step), found 5");
  }

  @Test
  void aFusedUnetTakesAtMostItsSlotsAndNoGuessMode() {
    ControlInput slot1 = new ControlInput("1", null, 1, image(64, 64), 1.0, 0.0, 1.0);
    ControlInput slot3 = new ControlInput("3", null, 3, image(64, 64), 1.0, 0.0, 1.0);
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel("sd15-controlnet-fused"), SessionSettings.CPU)) {
      assertThatThrownBy(
              () ->
                  sd.generate(
                      request(new Controls(List.of(slot1, slot1, slot1), false)),
                      ProgressListener.NONE,
                      CancelToken.NONE))
          .isInstanceOf(BadRequestException.class)
          .hasMessage(
              "control: this model's UNet holds 2 fused ControlNet(s); found 3 --control options");
      assertThatThrownBy(
              () ->
                  sd.generate(
                      request(new Controls(List.of(slot3), false)),
                      ProgressListener.NONE,
                      CancelToken.NONE))
          .isInstanceOf(BadRequestException.class)
          .hasMessage(
              "control 3: this model has ControlNets fused into its UNet; expected a slot number"
                  + " from 1 to 2, found 3");
      assertThatThrownBy(
              () ->
                  sd.generate(
                      request(new Controls(List.of(slot1), true)),
                      ProgressListener.NONE,
                      CancelToken.NONE))
          .isInstanceOf(BadRequestException.class)
          .hasMessageStartingWith("guess mode: this model's ControlNets are fused");
    }
  }

  @Test
  void aFusedModelWithoutControlsPaintsAsItsPlainUnet() {
    GenerationRequest plain = request(null).toBuilder().steps(2).build();
    float[] fused;
    float[] base;
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel("sd15-controlnet-fused"), SessionSettings.CPU)) {
      fused = sd.generate(plain, ProgressListener.NONE, CancelToken.NONE).images().get(0).latents();
    }
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel("sd15-optimum-1.22"), SessionSettings.CPU)) {
      base = sd.generate(plain, ProgressListener.NONE, CancelToken.NONE).images().get(0).latents();
    }
    assertThat(atelier.testing.Golden.maxDiff(fused, base)).isLessThan(1e-4f);
  }

  @Test
  void aSlotNumberNeedsAFusedModel() {
    ControlInput slot1 = new ControlInput("1", null, 1, image(64, 64), 1.0, 0.0, 1.0);
    try (StableDiffusion sd =
        StableDiffusion.load(
            TestPaths.tinyModel("sd15-controlnet-onnxstack"), SessionSettings.CPU)) {
      assertThatThrownBy(
              () ->
                  sd.generate(
                      request(new Controls(List.of(slot1), false)),
                      ProgressListener.NONE,
                      CancelToken.NONE))
          .isInstanceOf(BadRequestException.class)
          .hasMessage(
              "control 1: a slot number names a ControlNet fused into the UNet; this model has"
                  + " none (expected a ControlNet folder or id)");
    }
  }

  @Test
  void aModelWithoutAResidualUnetSaysWhereItLooked() {
    Path plain = TestPaths.tinyModel("sd15-optimum-1.22");
    try (StableDiffusion sd = StableDiffusion.load(plain, SessionSettings.CPU)) {
      assertThatThrownBy(
              () ->
                  sd.generate(
                      request(new Controls(List.of(separate("a", A)), false)),
                      ProgressListener.NONE,
                      CancelToken.NONE))
          .isInstanceOf(BadRequestException.class)
          .hasMessage(
              "control: the model "
                  + plain
                  + " has no UNet that takes ControlNet residuals; expected controlnet/model.onnx"
                  + " or cnet/model.onnx (OnnxStack, onnx-web) or a UNet with ControlNets fused in"
                  + " (diffusers' ControlNet conversion script), found none");
    }
  }

  @Test
  void badScalesAndRangesNameTheControl() {
    assertThatThrownBy(() -> new ControlInput("a", A, 0, image(8, 8), 2.5, 0, 1))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("control a: scale: expected 0 to 2.0, found 2.5");
    assertThatThrownBy(() -> new ControlInput("a", A, 0, image(8, 8), 1, 0.6, 0.4))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("control a: range: expected start-end with 0 ≤ start < end ≤ 1, found 0.6-0.4");
  }
}

package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.ModelLoadException;
import atelier.model.SessionSettings;
import atelier.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image sizes the loaded UNet can really run, and sizes from configs held to the same limits. */
class ModelSizeTest {

  @Test
  void theSizeMultipleComesFromTheUnetsDownBlocks() {
    // the tiny models have two down blocks (one halving): sides a multiple of 16; without a
    // unet/config.json (diffusers' script) Stable Diffusion's four blocks are assumed: 64
    assertThat(load("sd15-optimum-1.22").sizeMultiple()).isEqualTo(16);
    assertThat(load("sd21v-optimum").sizeMultiple()).isEqualTo(16);
    assertThat(load("sd15-diffusers").sizeMultiple()).isEqualTo(64);
  }

  @Test
  void sizesTheUnetCannotRunAreRefusedBeforeAnyWork() {
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel("sd15-optimum-1.22"), SessionSettings.CPU)) {
      // 72 passed the request's multiple-of-8 check, then failed in ONNX Runtime's Concat
      assertThatThrownBy(() -> sd.generate(request(72, 64), null, null))
          .isInstanceOf(BadRequestException.class)
          .hasMessage(
              "width: the model needs a multiple of 16 pixels, found 72; nearest: 64 or 80");
      assertThatThrownBy(() -> sd.generate(request(8, 8), null, null))
          .isInstanceOf(BadRequestException.class)
          .hasMessage("width: the model needs a multiple of 16 pixels, found 8; nearest: 16");
      assertThatThrownBy(() -> sd.generate(request(64, 8184), null, null))
          .isInstanceOf(BadRequestException.class)
          .hasMessageContaining("height: the model needs a multiple of 16 pixels, found 8184")
          .hasMessageEndingWith("nearest: 8176 or 8192");
    }
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel("sd15-diffusers"), SessionSettings.CPU)) {
      assertThatThrownBy(() -> sd.generate(request(72, 64), null, null))
          .isInstanceOf(BadRequestException.class)
          .hasMessage(
              "width: the model needs a multiple of 64 pixels, found 72; nearest: 64 or 128");
    }
  }

  @Test
  void sizesFromTheUnetConfigPassTheSameLimits(@TempDir Path dir) throws Exception {
    Path model = ModelLoadingTest.copy(TestPaths.tinyModel("sd15-optimum-1.22"), dir.resolve("m"));
    Path config = model.resolve("unet/config.json");
    String original = Files.readString(config);
    Files.writeString(
        config, original.replaceFirst("\"sample_size\": *8", "\"sample_size\": 100000"));
    assertThatThrownBy(() -> StableDiffusion.load(model, SessionSettings.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(
            "model "
                + model
                + ": unet/config.json sample_size: expected a latent side from 2 to 1024 that is a"
                + " multiple of 2 (images up to 8192 pixels, a multiple of 16), found 100000");
    Files.writeString(config, original.replaceFirst("\"sample_size\": *8", "\"sample_size\": -3"));
    assertThatThrownBy(() -> StableDiffusion.load(model, SessionSettings.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("found -3");
  }

  private static ModelInfo load(String name) {
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel(name), SessionSettings.CPU)) {
      return sd.info();
    }
  }

  private static GenerationRequest request(int width, int height) {
    return GenerationRequest.builder("x").size(width, height).steps(1).seed(1L).build();
  }
}

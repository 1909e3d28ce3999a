package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.ModelLoadException;
import atelier.model.ExportVariant;
import atelier.model.ModelFamily;
import atelier.model.SessionSettings;
import atelier.testing.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loading every exporter layout, detection, defaults, and the clear failures of bad folders. */
class ModelLoadingTest {

  /** Sizes come from unet/config.json; the 2022 script wrote none, so SD 1.x's 512 applies. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "sd15-diffusers,    SD1,   DIFFUSERS_SCRIPT, 512, pndm, true",
    "sd15-optimum-1.22, SD1,   OPTIMUM_LEGACY,   64, pndm,  true",
    "sd21v-optimum,     SD2_V, OPTIMUM,          96, ddim,  true",
    "sd-turbo-optimum,  TURBO, OPTIMUM,          64, euler, true",
    "lcm-optimum,       LCM,   OPTIMUM,          64, lcm,   true",
  })
  void detectsFamilyVariantAndDefaults(
      String name,
      ModelFamily family,
      ExportVariant variant,
      int size,
      String scheduler,
      boolean img2img) {
    try (StableDiffusion sd =
        StableDiffusion.load(TestPaths.tinyModel(name), SessionSettings.CPU)) {
      ModelInfo info = sd.info();
      assertThat(info.family()).isEqualTo(family);
      assertThat(info.variant()).isEqualTo(variant);
      assertThat(info.defaultWidth()).isEqualTo(size);
      assertThat(info.defaultHeight()).isEqualTo(size);
      assertThat(info.defaultScheduler()).isEqualTo(scheduler);
      assertThat(info.imageToImage()).isEqualTo(img2img);
      assertThat(info.vaeScalingFactor()).isEqualTo(0.18215);
      assertThat(info.defaultSteps()).isEqualTo(family.defaultSteps());
    }
  }

  @Test
  void refusesFloat16GraphsOnTheCpuNamingTheWayOut() {
    Path olive = TestPaths.tinyModel("sd15-olive-fp16");
    assertThatThrownBy(() -> StableDiffusion.load(olive, SessionSettings.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(olive.toString())
        .hasMessageContaining("float16")
        .hasMessageContaining("--device cuda");
  }

  @Test
  void namesEveryMissingFile(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("unet"));
    Files.writeString(dir.resolve("unet/model.onnx"), "x");
    assertThatThrownBy(() -> StableDiffusion.load(dir, SessionSettings.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(
            "missing text_encoder/model.onnx, vae_decoder/model.onnx,"
                + " tokenizer/vocab.json, tokenizer/merges.txt, scheduler/scheduler_config.json");
  }

  @Test
  void aMissingFolderSaysSo(@TempDir Path dir) {
    assertThatThrownBy(() -> StableDiffusion.load(dir.resolve("nope"), SessionSettings.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("found nothing");
  }

  @Test
  void aGraphWithTheWrongInputsIsRejectedAtLoad(@TempDir Path dir) throws IOException {
    Path copy = copy(TestPaths.tinyModel("sd15-optimum-1.22"), dir.resolve("m"));
    // The VAE decoder's graph where the UNet belongs: no 'sample'/'timestep' inputs.
    Files.delete(copy.resolve("unet/model.onnx_data"));
    Files.copy(
        copy.resolve("vae_decoder/model.onnx"),
        copy.resolve("unet/model.onnx"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> StableDiffusion.load(copy, SessionSettings.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("unet")
        .hasMessageContaining("expected an input named 'sample', found [latent_sample float32");
  }

  @Test
  void sdxlFoldersAreRecognisedAndRefusedClearly(@TempDir Path dir) throws IOException {
    Path copy = copy(TestPaths.tinyModel("sd15-optimum-1.22"), dir.resolve("xl"));
    Files.createDirectories(copy.resolve("text_encoder_2"));
    assertThatThrownBy(() -> StableDiffusion.load(copy, SessionSettings.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("SDXL");
  }

  @Test
  void imageToImageWithoutAVaeEncoderIsABadRequest(@TempDir Path dir) throws Exception {
    Path copy = copy(TestPaths.tinyModel("sd-turbo-optimum"), dir.resolve("t"));
    try (Stream<Path> s = Files.walk(copy.resolve("vae_encoder"))) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    try (StableDiffusion sd = StableDiffusion.load(copy, SessionSettings.CPU)) {
      assertThat(sd.info().imageToImage()).isFalse();
      GenerationRequest r =
          GenerationRequest.builder("x")
              .init(new InitImage(new java.awt.image.BufferedImage(8, 8, 1), "mem", "0"))
              .build();
      assertThatThrownBy(() -> sd.generate(r, null, null))
          .isInstanceOf(BadRequestException.class)
          .hasMessageContaining("image-to-image needs a VAE encoder")
          .hasMessageContaining("vae_encoder");
    }
  }

  static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }
}

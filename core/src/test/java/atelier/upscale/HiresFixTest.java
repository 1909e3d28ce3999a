package atelier.upscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.model.SessionSettings;
import atelier.pipeline.Artwork;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.InitImage;
import atelier.pipeline.StableDiffusion;
import atelier.testing.TestPaths;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Hires fix on the tiny SD 1.5 Optimum model (committed by tools/make_tiny_models.py; the test
 * skips on a checkout without it): upscale, then image-to-image at the new size with the first
 * pass's prompt and seed.
 */
class HiresFixTest {

  private static Path tinySd() {
    Path p = TestPaths.tinyModels().resolve("sd15-optimum-1.22");
    Assumptions.assumeTrue(Files.isDirectory(p), "tiny model sd15-optimum-1.22 is absent");
    return p;
  }

  @Test
  void theSecondPassKeepsTheClipSkipAndVariationSeedOfTheFirst() {
    try (StableDiffusion sd = StableDiffusion.load(tinySd(), SessionSettings.CPU);
        Upscaler up = Upscaler.open(TestModels.file("tiny-x2-even.onnx"), SessionSettings.CPU)) {
      GenerationRequest first =
          GenerationRequest.builder("a lighthouse")
              .size(64, 64)
              .steps(2)
              .seed(11L)
              .clipSkip(2)
              .variation(5L, 0.4)
              .build();
      Artwork base = sd.generate(first, ProgressListener.NONE, CancelToken.NONE).images().get(0);
      HiresFix.Result r =
          HiresFix.apply(
              sd,
              up,
              base,
              new HiresFix.Settings(UpscaleOptions.of(2), 0.5, 2),
              ProgressListener.NONE,
              CancelToken.NONE);
      BufferedImage upscaled =
          Upscaling.run(up, base.image(), UpscaleOptions.of(2), p -> {}, CancelToken.NONE).image();
      GenerationRequest direct =
          GenerationRequest.builder("a lighthouse")
              .size(128, 128)
              .steps(2)
              .guidance(base.record().settings().guidance())
              .seed(11L)
              .clipSkip(2)
              .variation(5L, 0.4)
              .init(new InitImage(upscaled, "test", "0"))
              .strength(0.5)
              .build();
      BufferedImage expected =
          sd.generate(direct, ProgressListener.NONE, CancelToken.NONE).images().get(0).image();
      assertThat(ImageMetrics.maxDifference(r.image(), expected)).isZero();
    }
  }

  @Test
  void repaintsTheUpscaledImageWithTheFirstPassSettings() {
    try (StableDiffusion sd = StableDiffusion.load(tinySd(), SessionSettings.CPU);
        Upscaler up = Upscaler.open(TestModels.file("tiny-x2-even.onnx"), SessionSettings.CPU)) {
      GenerationRequest first =
          GenerationRequest.builder("a lighthouse")
              .negativePrompt("fog")
              .size(64, 48)
              .steps(3)
              .seed(11L)
              .build();
      Artwork base = sd.generate(first, ProgressListener.NONE, CancelToken.NONE).images().get(0);

      HiresFix.Result r =
          HiresFix.apply(
              sd,
              up,
              base,
              new HiresFix.Settings(UpscaleOptions.of(2), 0.5, 4),
              ProgressListener.NONE,
              CancelToken.NONE);
      assertThat(r.image().getWidth()).isEqualTo(128);
      assertThat(r.image().getHeight()).isEqualTo(96);
      assertThat(r.hires().steps()).isEqualTo(4);
      assertThat(r.hires().seed()).isEqualTo(11L);
      assertThat(r.upscale().model()).isEqualTo("tiny-x2-even");

      // The same as asking for that image-to-image pass directly on the upscaled image.
      BufferedImage upscaled =
          Upscaling.run(up, base.image(), UpscaleOptions.of(2), p -> {}, CancelToken.NONE).image();
      GenerationRequest direct =
          GenerationRequest.builder("a lighthouse")
              .negativePrompt("fog")
              .size(128, 96)
              .steps(4)
              .guidance(base.record().settings().guidance())
              .seed(11L)
              .init(new InitImage(upscaled, "test", "0"))
              .strength(0.5)
              .build();
      BufferedImage expected =
          sd.generate(direct, ProgressListener.NONE, CancelToken.NONE).images().get(0).image();
      assertThat(ImageMetrics.maxDifference(r.image(), expected)).isZero();
      assertThat(ImageMetrics.maxDifference(r.image(), upscaled)).isPositive();

      Map<String, String> texts = r.texts();
      assertThat(texts.get(ArtworkPng.PARAMETERS))
          .startsWith("a lighthouse\nNegative prompt: fog\nSteps: 3,")
          .endsWith(
              ", Hires upscale: 2, Hires steps: 4, Hires upscaler: tiny-x2-even,"
                  + " Denoising strength: 0.5");
      assertThat(texts).containsKeys(ArtworkPng.RECORD, UpscalePng.RECORDS, HiresFix.HIRES_RECORD);
      assertThat(texts).doesNotContainKey(UpscalePng.POSTPROCESSING);
      assertThat(UpscalePng.records(texts)).containsExactly(r.upscale());
    }
  }

  @Test
  void withoutAStrengthItOnlyUpscales() {
    try (StableDiffusion sd = StableDiffusion.load(tinySd(), SessionSettings.CPU);
        Upscaler up = Upscaler.open(TestModels.file("tiny-x2-even.onnx"), SessionSettings.CPU)) {
      Artwork base =
          sd.generate(
                  GenerationRequest.builder("a hill").size(64, 64).steps(2).seed(3L).build(),
                  ProgressListener.NONE,
                  CancelToken.NONE)
              .images()
              .get(0);
      HiresFix.Result r =
          HiresFix.apply(
              sd,
              up,
              base,
              new HiresFix.Settings(UpscaleOptions.of(2), null, null),
              ProgressListener.NONE,
              CancelToken.NONE);
      assertThat(r.hires()).isNull();
      BufferedImage upscaled =
          Upscaling.run(up, base.image(), UpscaleOptions.of(2), p -> {}, CancelToken.NONE).image();
      assertThat(ImageMetrics.maxDifference(r.image(), upscaled)).isZero();
      assertThat(r.texts().get(ArtworkPng.PARAMETERS))
          .endsWith(", Hires upscale: 2, Hires upscaler: tiny-x2-even");
    }
  }

  @Test
  void stepsWithoutAStrengthAreABadRequest() {
    assertThatThrownBy(() -> new HiresFix.Settings(UpscaleOptions.of(2), null, 10))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected --hires-strength too");
    assertThatThrownBy(() -> new HiresFix.Settings(UpscaleOptions.of(2), 1.5, null))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("found 1.5");
  }
}

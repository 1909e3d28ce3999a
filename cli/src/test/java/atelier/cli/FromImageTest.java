package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.image.PngText;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.GenerationSettings;
import atelier.pipeline.ImageRecord;
import atelier.pipeline.ModelRef;
import atelier.pipeline.Timings;
import atelier.upscale.UpscalePng;
import atelier.upscale.UpscaleRecord;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code generate --from} reads from A1111 PNGs of several web UI versions. */
class FromImageTest {
  @TempDir Path dir;

  private Path png(String sample) throws Exception {
    String text;
    try (InputStream in = getClass().getResourceAsStream("/a1111/" + sample)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return png(sample, Map.of("parameters", text));
  }

  private Path png(String name, Map<String, String> texts) throws Exception {
    Path p = dir.resolve(name + ".png");
    Files.write(p, PngText.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), texts));
    return p;
  }

  private FromImage read(String sample) throws Exception {
    return FromImage.read(png(sample), AtelierHome.at(dir.resolve("home")), false);
  }

  @Test
  void anOld2022TextWithVariationSeedAndClipSkip() throws Exception {
    FromImage f = read("v1.0-2022-variation.txt");
    assertThat(f.prompt()).startsWith("masterpiece, best quality, 1girl, (silver hair:1.2)");
    assertThat(f.negativePrompt()).startsWith("lowres, bad anatomy");
    assertThat(f.steps()).isEqualTo(20);
    assertThat(f.scheduler()).isEqualTo("euler-a");
    assertThat(f.guidance()).isEqualTo(7.0);
    assertThat(f.seed()).isEqualTo(3360184580L);
    assertThat(f.width()).isEqualTo(512);
    assertThat(f.height()).isEqualTo(512);
    assertThat(f.subseed()).isEqualTo(1234L);
    assertThat(f.subseedStrength()).isEqualTo(0.25);
    assertThat(f.clipSkip()).isEqualTo(2);
    assertThat(f.model()).isNull();
    assertThat(f.notes())
        .containsExactly(
            "Model: 7460a6fa: not an installed Atelier model; using the default model (give"
                + " --model)",
            "ENSD: 31337: not an Atelier setting; ignored");
  }

  @Test
  void aHiresTextBecomesUpscaleAndHiresPass() throws Exception {
    FromImage f = read("v1.3-hires.txt");
    assertThat(f.negativePrompt())
        .isEqualTo("(worst quality, low quality:1.4), blurry,\nwatermark, signature");
    assertThat(f.scheduler()).isEqualTo("dpm++2m-karras");
    assertThat(f.guidance()).isEqualTo(7.5);
    assertThat(f.height()).isEqualTo(768);
    assertThat(f.upscale()).isEqualTo(2);
    assertThat(f.hiresStrength()).isEqualTo(0.45);
    assertThat(f.hiresSteps()).isEqualTo(15);
    assertThat(f.strength()).isNull(); // txt2img: the denoising strength was the hires pass's
    assertThat(f.notes())
        .containsExactly(
            "Hires upscaler: R-ESRGAN 4x+ Anime6B: upscaling with Atelier's installed upscaler"
                + " instead (give --upscaler ID)",
            "Model: AnythingV5_v5PrtRE (hash 7f96a1a9ca): not an installed Atelier model; using"
                + " the default model (give --model)",
            "ENSD: 31337: not an Atelier setting; ignored");
  }

  @Test
  void quotedHashFieldsAreOneNoteEach() throws Exception {
    FromImage f = read("v1.6-hashes.txt");
    assertThat(f.scheduler()).isEqualTo("ddim");
    assertThat(f.seed()).isEqualTo(42L);
    assertThat(f.notes())
        .contains(
            "VAE hash: 735e4c3a44: not an Atelier setting; ignored",
            "VAE: vae-ft-mse-840000-ema-pruned.safetensors: not an Atelier setting; ignored",
            "Lora hashes: add_detail: 7c6bad76eb54: not an Atelier setting; ignored",
            "TI hashes: EasyNegative: c74b4e810b03: not an Atelier setting; ignored")
        .hasSize(5);
  }

  @Test
  void theSeparateScheduleTypeOfNewVersionsJoinsTheSampler() throws Exception {
    FromImage f = read("v1.10-schedule-type.txt");
    assertThat(f.scheduler()).isEqualTo("dpm++2m-karras");
    assertThat(f.negativePrompt()).isEmpty();
    assertThat(f.notes()).hasSize(1).allMatch(n -> n.startsWith("Model: v1-5-pruned-emaonly"));
  }

  @Test
  void img2imgAndAMissingSamplerAreSaidNotRun() throws Exception {
    FromImage f = read("v1.7-img2img-unsupported.txt");
    assertThat(f.scheduler()).isNull();
    assertThat(f.strength()).isNull();
    assertThat(f.notes())
        .contains(
            "Sampler: Restart: Atelier has no such sampler; using the model's default (give -s"
                + " NAME)",
            "Denoising strength: 0.6: image-to-image from a basemap the PNG does not hold; making"
                + " text-to-image (give --init IMAGE --strength 0.6)",
            "Mask blur: 4: not an Atelier setting; ignored");
  }

  @Test
  void aFractionalHiresFactorIsSaid() throws Exception {
    FromImage f = read("v1.8-hires-1.5.txt");
    assertThat(f.upscale()).isNull();
    assertThat(f.hiresStrength()).isNull();
    assertThat(f.strength()).isNull();
    assertThat(f.notes())
        .contains(
            "Hires upscale: 1.5: Atelier upscales by 2, 3, 4 or 8; no hires pass (give --upscale"
                + " N)")
        .noneMatch(n -> n.startsWith("Hires upscaler") || n.startsWith("Denoising"));
  }

  @Test
  void aGivenModelSilencesTheNoteAboutTheStoredOne() throws Exception {
    Path home = dir.resolve("home");
    Path sample = png("v1.10-schedule-type.txt");
    assertThat(FromImage.read(sample, AtelierHome.at(home), true).notes()).isEmpty();
  }

  @Test
  void aBadValueNamesTheFileTheKeyAndWhatWasExpected() throws Exception {
    Path p = png("bad", Map.of("parameters", "x\nSteps: many, Sampler: Euler, Seed: 1"));
    assertThatThrownBy(() -> FromImage.read(p, AtelierHome.at(dir), false))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("image " + p + ": parameters 'Steps': expected a whole number, found 'many'");
    Path none = png("none", Map.of("Software", "x"));
    assertThatThrownBy(() -> FromImage.read(none, AtelierHome.at(dir), false))
        .hasMessageContaining("expected an Atelier record or A1111 parameters")
        .hasMessageEndingWith("found only [Software]");
  }

  @Test
  void anAtelierPngSaysWhichLaterStagesItDoesNotRepeat() throws Exception {
    ImageRecord record =
        new ImageRecord(
            "atelier test",
            "2025-01-01T00:00:00Z",
            new ModelRef("m", "/models/m", "ab".repeat(32), "sd1", "optimum"),
            new GenerationSettings(
                "a cat", "", 64, 64, 2, 7.5, "euler", 0, 9, 1, null, null, null, "cover", null, 2,
                4L, 0.5, null, null, null),
            0,
            9,
            new double[] {999},
            List.of(),
            List.of(),
            new Timings(1, 0, 2, 1, 1, 4));
    UpscaleRecord later =
        new UpscaleRecord(
            "atelier test", "esrgan-thick", "", 4, 4, 1, 0, 0, null, 64, 64, 256, 256, 5);
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("parameters", "a cat\nSteps: 2, Sampler: Euler, Seed: 9");
    texts.put("atelier", ArtworkPng.json().writeValueAsString(record));
    texts.put(UpscalePng.RECORDS, ArtworkPng.json().writeValueAsString(List.of(later)));
    texts.put(
        "atelier-provenance", "{\"recipe\":{\"name\":\"phone-wallpaper\",\"version\":\"1.0.0\"}}");
    FromImage f = FromImage.read(png("stages", texts), AtelierHome.at(dir), false);
    assertThat(f.seed()).isEqualTo(9L);
    assertThat(f.clipSkip()).isEqualTo(2);
    assertThat(f.subseed()).isEqualTo(4L);
    assertThat(f.upscale()).isNull();
    assertThat(f.notes())
        .containsExactly(
            "not repeated: the later upscale ×4 with esrgan-thick (an 'atelier upscale' step);"
                + " run atelier upscale on the new image",
            "not repeated: the other stages of recipe phone-wallpaper 1.0.0 (basemap, selection,"
                + " upscale); this makes its generate stage again; run atelier recipe run for the"
                + " whole recipe");
  }

  @Test
  void aStoredBasemapIsFoundBesideThePngWhenNotFromHere() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("elsewhere"));
    Files.write(sub.resolve("basemap-xyz.png"), new byte[] {1});
    Path png = sub.resolve("out.png");
    assertThat(FromImage.basemap(png, "basemap-xyz.png"))
        .isEqualTo(sub.resolve("basemap-xyz.png").toAbsolutePath().toString());
    assertThat(FromImage.basemap(png, "missing.png")).isEqualTo("missing.png");
    String abs = sub.resolve("basemap-xyz.png").toAbsolutePath().toString();
    assertThat(FromImage.basemap(png, abs)).isEqualTo(abs);
  }
}

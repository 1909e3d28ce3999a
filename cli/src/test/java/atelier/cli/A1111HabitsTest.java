package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.image.PngText;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.GenerationSettings;
import atelier.pipeline.ImageRecord;
import atelier.testing.Golden;
import atelier.testing.TestPaths;
import atelier.upscale.HiresFix;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A1111 users' habits in {@code generate}: {@code --seed -1}, {@code --clip-skip}, variation seeds
 * and {@code --from} an A1111 PNG or an Atelier PNG with its upscale and hires pass.
 */
class A1111HabitsTest {
  private static final String MODEL = TestPaths.tinyModel("sd15-optimum-1.22").toString();
  private static final Path UPSCALER =
      TestPaths.repoRoot().resolve("core/src/test/resources/upscale/tiny-x2-even.onnx");

  private static CliRun generate(String... args) {
    String[] all = new String[args.length + 9];
    System.arraycopy(
        new String[] {"generate", "--model", MODEL, "-W", "64", "-H", "64", "--steps", "2"},
        0,
        all,
        0,
        9);
    System.arraycopy(args, 0, all, 9, args.length);
    return CliRun.of(all);
  }

  @Test
  void seedMinusOneIsARandomSeedPrintedAndStored(@TempDir Path dir) {
    Path out = dir.resolve("r.png");
    CliRun r = generate("a fox", "--seed", "-1", "--out", out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    long seed = ArtworkPng.read(out).settings().seed();
    assertThat(seed).isBetween(0L, 0xFFFF_FFFFL);
    assertThat(r.out()).contains("wrote " + out + "  (seed " + seed + ")");
    CliRun bad = generate("a fox", "--seed", "-2", "--out", dir.resolve("b.png").toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .contains("seed: expected 0 to 4294967295 (or -1 for a random one), found -2");
    assertThat(dir.resolve("b.png")).doesNotExist();
  }

  @Test
  void clipSkipAndVariationSeedsAreStoredAndMadeAgainByFrom(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("v.png");
    CliRun r =
        generate(
            "a lighthouse",
            "--seed",
            "11",
            "--clip-skip",
            "2",
            "--subseed",
            "7",
            "--subseed-strength",
            "0.3",
            "--out",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("(seed 11, variation seed 7 at 0.3)");
    GenerationSettings s = ArtworkPng.read(out).settings();
    assertThat(s.clipSkip()).isEqualTo(2);
    assertThat(s.subseed()).isEqualTo(7L);
    assertThat(s.subseedStrength()).isEqualTo(0.3);
    assertThat(ArtworkPng.texts(out).get("parameters"))
        .contains("Seed: 11,", "Variation seed: 7, Variation seed strength: 0.3,", "Clip skip: 2");
    Path again = dir.resolve("again.png");
    CliRun b = CliRun.of("generate", "--from", out.toString(), "--out", again.toString());
    assertThat(b.exitCode()).as(b.err()).isZero();
    assertThat(pixels(again)).isEqualTo(pixels(out));
    assertThat(ArtworkPng.read(again).settings()).isEqualTo(s);
    // An override changes just that: strength 0 is the plain seed.
    Path plain = dir.resolve("plain.png");
    Path noVariation = dir.resolve("nov.png");
    assertThat(
            generate("a lighthouse", "--seed", "11", "--clip-skip", "2", "-o", plain.toString())
                .exitCode())
        .isZero();
    CliRun c =
        CliRun.of(
            "generate",
            "--from",
            out.toString(),
            "--subseed-strength",
            "0",
            "-o",
            noVariation.toString());
    assertThat(c.exitCode()).as(c.err()).isZero();
    assertThat(pixels(noVariation)).isEqualTo(pixels(plain));
    CliRun bad = generate("x", "--subseed", "3", "--out", dir.resolve("bad.png").toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("subseed: applies with a subseed strength");
  }

  @Test
  void fromAnA1111PngTakesItsSettingsAndSaysWhatItDrops(@TempDir Path dir) throws Exception {
    String text;
    try (InputStream in = getClass().getResourceAsStream("/a1111/v1.0-2022-variation.txt")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path a1111 = dir.resolve("00012-3360184580.png");
    Files.write(
        a1111,
        PngText.encode(
            new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), Map.of("parameters", text)));
    Path out = dir.resolve("atelier.png");
    // Explicit options override the file (size and steps here, to stay fast).
    CliRun r = generate("--from", a1111.toString(), "--out", out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err())
        .contains(
            "atelier: note: --from " + a1111 + ": ENSD: 31337: not an Atelier setting; ignored")
        .doesNotContain("Model: 7460a6fa"); // --model was given
    ImageRecord rec = ArtworkPng.read(out);
    GenerationSettings s = rec.settings();
    assertThat(s.prompt()).startsWith("masterpiece, best quality, 1girl");
    assertThat(s.negativePrompt()).startsWith("lowres, bad anatomy");
    assertThat(s.scheduler()).isEqualTo("euler-a");
    assertThat(s.guidance()).isEqualTo(7.0);
    assertThat(s.seed()).isEqualTo(3360184580L);
    assertThat(s.clipSkip()).isEqualTo(2);
    assertThat(s.subseed()).isEqualTo(1234L);
    assertThat(s.subseedStrength()).isEqualTo(0.25);
    assertThat(s.width()).isEqualTo(64);
    assertThat(s.steps()).isEqualTo(2);
  }

  @Test
  void fromAnAtelierPngKeepsItsUpscaleAndHiresPass(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("hires.png");
    CliRun r =
        generate(
            "a harbour",
            "--seed",
            "5",
            "--upscale",
            "2",
            "--upscaler",
            UPSCALER.toString(),
            "--hires-strength",
            "0.5",
            "--hires-steps",
            "2",
            "-o",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    Path again = dir.resolve("again.png");
    // The upscaler was a file, recorded by its name: give it again.
    CliRun b =
        CliRun.of(
            "generate",
            "--from",
            out.toString(),
            "--upscaler",
            UPSCALER.toString(),
            "-o",
            again.toString());
    assertThat(b.exitCode()).as(b.err()).isZero();
    assertThat(ImageIO.read(again.toFile()).getWidth()).isEqualTo(128);
    assertThat(pixels(again)).isEqualTo(pixels(out));
    Map<String, String> texts = PngText.read(again);
    assertThat(texts).containsKey(HiresFix.HIRES_RECORD);
    assertThat(texts.get("parameters")).contains("Hires upscale: 2, Hires steps: 2");
  }

  @Test
  void aStoredBasemapBesideThePngIsFoundFromAnyFolder(@TempDir Path dir) throws Exception {
    Path folder = Files.createDirectories(dir.resolve("art"));
    Path basemap = folder.resolve("basemap-a1111-test.png");
    Files.copy(Golden.dir().resolve("basemap-64.png"), basemap);
    Path out = folder.resolve("i2i.png");
    CliRun r =
        generate(
            "a castle",
            "--seed",
            "6",
            "--init",
            basemap.toString(),
            "--strength",
            "0.5",
            "-o",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    // As if made from inside the folder: the record holds the bare file name.
    Map<String, String> texts = new LinkedHashMap<>(PngText.read(out));
    ObjectNode record = (ObjectNode) ArtworkPng.json().readTree(texts.get("atelier"));
    ((ObjectNode) record.get("settings")).put("init", "basemap-a1111-test.png");
    texts.put("atelier", record.toString());
    Path moved = folder.resolve("relative.png");
    Files.write(moved, PngText.encode(ImageIO.read(out.toFile()), texts));
    Path again = dir.resolve("again.png");
    CliRun b = CliRun.of("generate", "--from", moved.toString(), "-o", again.toString());
    assertThat(b.exitCode()).as(b.err()).isZero();
    assertThat(pixels(again)).isEqualTo(pixels(out));
  }

  private static int[] pixels(Path png) throws Exception {
    BufferedImage img = ImageIO.read(png.toFile());
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }
}

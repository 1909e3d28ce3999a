package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.pipeline.ArtworkPng;
import atelier.pipeline.ImageRecord;
import atelier.testing.TestPaths;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code atelier generate --init --mask} end to end through the job layer: the golden inpainting
 * case (tools/reference_inpaint.py), the record and {@code --from}, only-masked, and bad masks.
 */
class InpaintCommandTest {
  static final Path GOLDEN = TestPaths.repoRoot().resolve("core/src/test/resources/golden-inpaint");
  static final String MODEL = TestPaths.tinyModel("sd15-inpainting-optimum").toString();

  static List<String> base(Path out) {
    return new ArrayList<>(
        List.of(
            "generate",
            "a red apple on a table",
            "--model",
            MODEL,
            "--init",
            GOLDEN.resolve("basemap-64.png").toString(),
            "--steps",
            "4",
            "--seed",
            "42",
            "--scheduler",
            "euler",
            "--strength",
            "1",
            "--out",
            out.toString()));
  }

  static CliRun run(List<String> args) {
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void inpaintsAsTheReferenceAndRecordsTheMask(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("a.png");
    List<String> args = base(out);
    args.addAll(List.of("--mask", GOLDEN.resolve("mask-64.png").toString(), "--mask-blur", "0"));
    CliRun r = run(args);
    assertThat(r.exitCode()).as(r.err()).isZero();
    BufferedImage got = ImageIO.read(out.toFile());
    BufferedImage want = ImageIO.read(GOLDEN.resolve("a-9ch-euler-strength1.s42.png").toFile());
    atelier.testing.PixelAssert.assertPixelsClose(got, want, "cli");
    ImageRecord rec = ArtworkPng.read(out);
    assertThat(rec.settings().inpaint().mask()).endsWith("mask-64.png");
    assertThat(rec.settings().inpaint().maskSha256()).hasSize(64);
    assertThat(rec.settings().inpaint().blur()).isZero();
    assertThat(rec.settings().inpaint().pasteBack()).isTrue();
    assertThat(ArtworkPng.texts(out).get("parameters")).contains("Mask blur: 0");

    Path again = dir.resolve("again.png");
    CliRun f = CliRun.of("generate", "--from", out.toString(), "--out", again.toString());
    assertThat(f.exitCode()).as(f.err()).isZero();
    atelier.testing.PixelAssert.assertPixelsClose(ImageIO.read(again.toFile()), got, "from");
    assertThat(ArtworkPng.read(again).settings().inpaint()).isEqualTo(rec.settings().inpaint());
  }

  @Test
  void onlyMaskedRepaintsACropAndKeepsTheRestOfTheBasemap(@TempDir Path dir) throws Exception {
    // a 128×96 basemap with a small mask near its top-left corner, generated at 64×64
    BufferedImage big = new BufferedImage(128, 96, BufferedImage.TYPE_INT_RGB);
    BufferedImage mask = new BufferedImage(128, 96, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 96; y++) {
      for (int x = 0; x < 128; x++) {
        big.setRGB(x, y, (x * 2) << 16 | (y * 2) << 8 | 90);
        mask.setRGB(x, y, x >= 10 && x < 30 && y >= 12 && y < 28 ? 0xffffff : 0);
      }
    }
    Path init = dir.resolve("big.png");
    Path maskFile = dir.resolve("mask.png");
    ImageIO.write(big, "png", init.toFile());
    ImageIO.write(mask, "png", maskFile.toFile());
    Path out = dir.resolve("o.png");
    CliRun r =
        CliRun.of(
            "generate",
            "a cat",
            "--model",
            MODEL,
            "--init",
            init.toString(),
            "--mask",
            maskFile.toString(),
            "--only-masked",
            "--padding",
            "8",
            "-W",
            "64",
            "-H",
            "64",
            "--steps",
            "2",
            "--seed",
            "3",
            "--out",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    BufferedImage got = ImageIO.read(out.toFile());
    assertThat(got.getWidth()).isEqualTo(128);
    assertThat(got.getHeight()).isEqualTo(96);
    // beyond the crop (mask box 10..30 × 12..28, blur 4 → ±10, padding 8) the basemap is untouched
    for (int y = 60; y < 96; y++) {
      for (int x = 60; x < 128; x++) {
        assertThat(got.getRGB(x, y) & 0xffffff).isEqualTo(big.getRGB(x, y) & 0xffffff);
      }
    }
    int changed = 0;
    for (int y = 12; y < 28; y++) {
      for (int x = 10; x < 30; x++) {
        changed += (got.getRGB(x, y) & 0xffffff) != (big.getRGB(x, y) & 0xffffff) ? 1 : 0;
      }
    }
    assertThat(changed).isGreaterThan(200);
    assertThat(ArtworkPng.texts(out).get("parameters"))
        .contains("Inpaint area: Only masked", "Masked area padding: 8");
  }

  @Test
  void aMaskOfAnotherSizeAndColourIsUsedWithNotes(@TempDir Path dir) throws Exception {
    BufferedImage m = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    for (int y = 8; y < 24; y++) {
      for (int x = 8; x < 24; x++) {
        m.setRGB(x, y, 0xfff0f0);
      }
    }
    Path mask = dir.resolve("m.png");
    ImageIO.write(m, "png", mask.toFile());
    Path out = dir.resolve("a.png");
    List<String> args = base(out);
    args.addAll(List.of("--mask", mask.toString()));
    CliRun r = run(args);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("note: mask: a colour picture; made grey by luma")
        .contains("note: mask: 32×32 resized to the basemap's 64×64");
    assertThat(ArtworkPng.read(out).warnings())
        .anyMatch(w -> w.contains("resized to the basemap's 64×64"));
  }

  @Test
  void badMasksAreOneLineErrorsAndWriteNothing(@TempDir Path dir) throws Exception {
    Path black = dir.resolve("black.png");
    ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY), "png", black.toFile());
    BufferedImage dim = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < 64; i++) {
      dim.setRGB(i, i, 0x505050);
    }
    Path faint = dir.resolve("faint.png");
    ImageIO.write(dim, "png", faint.toFile());
    Path broken = dir.resolve("broken.png");
    Files.write(broken, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2});
    String golden = GOLDEN.resolve("mask-64.png").toString();
    Object[][] cases = {
      {List.of("--mask", black.toString()), "an all-black mask: nothing to inpaint"},
      {List.of("--mask", faint.toString(), "--mask-blur", "0"), "nothing would be repainted"},
      {List.of("--mask", broken.toString()), "mask " + broken + ": expected a PNG"},
      {List.of("--mask", dir.resolve("none.png").toString()), "mask: expected an image file"},
      {List.of("--mask", golden, "--mask-blur", "65"), "mask blur: expected 0 to 64"},
      {List.of("--mask", golden, "--fill", "paint"), "mask fill: expected original, fill"},
      {List.of("--mask", golden, "--padding", "4"), "--padding: applies to --only-masked"},
      {List.of("--fill", "noise"), "expected --mask MASK.png (or --outpaint) too"},
    };
    for (Object[] c : cases) {
      Path out = dir.resolve("out.png");
      List<String> args = base(out);
      @SuppressWarnings("unchecked")
      List<String> extra = (List<String>) c[0];
      args.addAll(extra);
      CliRun r = run(args);
      assertThat(r.exitCode()).as("%s: %s", extra, r.err()).isEqualTo(2);
      assertThat(r.err()).as("%s", extra).contains((String) c[1]);
      assertThat(r.err().strip().lines().count()).as("%s", extra).isEqualTo(1);
      assertThat(out).doesNotExist();
    }
  }

  @Test
  void anInpaintingModelWithoutAMaskPaintsTheWholeImageAndReRuns(@TempDir Path dir)
      throws Exception {
    // tools/reference_inpaint.py, case e-9ch-txt2img-whole (InpaintGoldenTest checks the latents)
    Path out = dir.resolve("fruit.png");
    CliRun r =
        CliRun.of(
            "generate",
            "a bowl of fruit",
            "--model",
            MODEL,
            "--steps",
            "4",
            "--seed",
            "11",
            "--scheduler",
            "euler",
            "--guidance",
            "7.5",
            "--out",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("note: an inpainting model without a mask: the whole image");
    BufferedImage want = ImageIO.read(GOLDEN.resolve("e-9ch-txt2img-whole.s11.png").toFile());
    atelier.testing.PixelAssert.assertPixelsClose(ImageIO.read(out.toFile()), want, "whole");
    Path again = dir.resolve("again.png");
    CliRun from = CliRun.of("generate", "--from", out.toString(), "--out", again.toString());
    assertThat(from.exitCode()).as(from.err()).isZero();
    atelier.testing.PixelAssert.assertPixelsClose(
        ImageIO.read(again.toFile()), ImageIO.read(out.toFile()), "from");
  }

  @Test
  void outpaintExtendsTheCanvasKeepsTheBasemapAndReRuns(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("wide.png");
    CliRun r =
        CliRun.of(
            "generate",
            "a wide landscape",
            "--model",
            MODEL,
            "--init",
            GOLDEN.resolve("basemap-64.png").toString(),
            "--outpaint",
            "left=32,right=32",
            "--steps",
            "3",
            "--seed",
            "3",
            "--out",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    BufferedImage got = ImageIO.read(out.toFile());
    BufferedImage base = ImageIO.read(GOLDEN.resolve("basemap-64.png").toFile());
    assertThat(got.getWidth()).isEqualTo(128);
    assertThat(got.getHeight()).isEqualTo(64);
    // the basemap beyond the overlap (2 × blur 4 = 8 px) and the blur's reach is pasted back as is
    for (int y = 0; y < 64; y++) {
      for (int x = 32 + 20; x < 96 - 20; x++) {
        assertThat(got.getRGB(x, y) & 0xffffff).isEqualTo(base.getRGB(x - 32, y) & 0xffffff);
      }
    }
    ImageRecord rec = ArtworkPng.read(out);
    assertThat(rec.settings().inpaint().outpaint()).isEqualTo("left=32,top=0,right=32,bottom=0");
    assertThat(rec.settings().inpaint().fill()).isEqualTo("fill");
    assertThat(rec.settings().inpaint().mask()).isNull();
    assertThat(rec.settings().init()).endsWith("basemap-64.png");
    Path again = dir.resolve("again.png");
    CliRun f = CliRun.of("generate", "--from", out.toString(), "--out", again.toString());
    assertThat(f.exitCode()).as(f.err()).isZero();
    atelier.testing.PixelAssert.assertPixelsClose(ImageIO.read(again.toFile()), got, "from");

    CliRun odd =
        CliRun.of(
            "generate",
            "x",
            "--model",
            MODEL,
            "--init",
            GOLDEN.resolve("basemap-64.png").toString(),
            "--outpaint",
            "left=8",
            "--out",
            dir.resolve("odd.png").toString());
    assertThat(odd.exitCode()).isEqualTo(2);
    assertThat(odd.err())
        .startsWith(
            "atelier: outpaint: the extended canvas is 72×64; width: the model needs a"
                + " multiple of 16 pixels");
    CliRun both =
        CliRun.of(
            "generate",
            "x",
            "--model",
            MODEL,
            "--init",
            GOLDEN.resolve("basemap-64.png").toString(),
            "--outpaint",
            "top=13",
            "--out",
            dir.resolve("odd.png").toString());
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("outpaint top: expected a multiple of 8 from 0 to 4096");
  }
}

package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.pipeline.ArtworkPng;
import atelier.pipeline.ImageRecord;
import atelier.testing.TestPaths;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier generate --control} end to end on the tiny ControlNet models. */
class ControlCommandTest {
  static final Path RES = TestPaths.repoRoot().resolve("core/src/test/resources");
  static final String MODEL = TestPaths.tinyModel("sd15-controlnet-onnxstack").toString();
  static final String A = TestPaths.tinyModel("controlnet-tiny-a").toString();
  static final String EDGES = RES.resolve("control-images/edges-64.png").toString();

  @Test
  void generateWithAControlNetPaintsTheReferencesPicture(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("cn.png");
    CliRun r =
        CliRun.of(
            "generate",
            "a lighthouse on a cliff",
            "--model",
            MODEL,
            "--scheduler",
            "euler",
            "--steps",
            "4",
            "--guidance",
            "7.5",
            "--seed",
            "42",
            "--control",
            A + ":" + EDGES + ":0.8",
            "--out",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    // tools/reference_controlnet.py, case a-single-euler
    BufferedImage want =
        ImageIO.read(RES.resolve("golden-control/a-single-euler.s42.png").toFile());
    BufferedImage got = ImageIO.read(out.toFile());
    int worst = 0;
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        for (int s = 0; s <= 16; s += 8) {
          int d = Math.abs(((got.getRGB(x, y) >> s) & 0xff) - ((want.getRGB(x, y) >> s) & 0xff));
          worst = Math.max(worst, d);
        }
      }
    }
    assertThat(worst).isLessThanOrEqualTo(2);
    ImageRecord rec = ArtworkPng.read(out);
    assertThat(rec.warnings())
        .anyMatch(n -> n.startsWith("controlnet " + A + ": image " + EDGES + " (sha256 "));
  }

  @Test
  void aPreprocessedControlImageOfAnotherSizeIsFittedWithANote(@TempDir Path dir) throws Exception {
    Path photo = dir.resolve("photo.png");
    BufferedImage img = new BufferedImage(96, 80, BufferedImage.TYPE_INT_RGB);
    img.getGraphics().fillRect(20, 20, 40, 30);
    ImageIO.write(img, "png", photo.toFile());
    Path out = dir.resolve("cn.png");
    CliRun r =
        CliRun.of(
            "generate",
            "a castle",
            "--model",
            MODEL,
            "--steps",
            "1",
            "--seed",
            "1",
            "--control",
            A + ":" + photo + ":1:0-0.5",
            "--control-pre",
            "canny:50:150",
            "--out",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("control image " + photo + " [canny 50:150] is 96×80; fitted to 64×64");
    assertThat(ArtworkPng.read(out).warnings())
        .anyMatch(n -> n.contains("[canny 50:150]") && n.endsWith("scale 1.0, steps 0.0-0.5"));
  }

  @Test
  void aControlNetImportedIntoTheStoreIsUsedById(@TempDir Path dir) {
    String home = dir.resolve("home").toString();
    CliRun imp =
        CliRun.of(
            "models", "import", A, "--id", "canny-tiny", "--kind", "controlnet", "--home", home);
    assertThat(imp.exitCode()).as(imp.err()).isZero();
    assertThat(imp.out()).startsWith("imported canny-tiny from " + A);
    CliRun bad =
        CliRun.of(
            "models", "import", MODEL, "--id", "nope", "--kind", "controlnet", "--home", home);
    assertThat(bad.exitCode()).as(bad.err()).isEqualTo(3);
    assertThat(bad.err())
        .isEqualTo(
            "atelier: controlnet "
                + MODEL
                + ": expected a ControlNet export, found a Stable Diffusion folder (it has unet/);"
                + " pass it as --model and the ControlNet as --control\n");
    Path out = dir.resolve("cn.png");
    CliRun gen =
        CliRun.of(
            "generate",
            "x",
            "--model",
            MODEL,
            "--steps",
            "1",
            "--control",
            "canny-tiny:" + EDGES,
            "--home",
            home,
            "--out",
            out.toString());
    assertThat(gen.exitCode()).as(gen.err()).isZero();
    assertThat(ArtworkPng.read(out).warnings())
        .anyMatch(n -> n.startsWith("controlnet canny-tiny:"));
  }

  @Test
  void badControlOptionsAreOneLineWithExitCode2(@TempDir Path dir) {
    String out = dir.resolve("x.png").toString();
    assertBad(
        "atelier: --control: expected MODEL:IMAGE[:SCALE[:START-END]], found 'nothing'",
        "--control",
        "nothing");
    assertBad(
        "atelier: --control: expected MODEL:IMAGE[:SCALE[:START-END]] with numbers for SCALE,"
            + " START and END (e.g. canny:edges.png:0.8:0-0.6), found '"
            + A
            + ":"
            + EDGES
            + ":strong'",
        "--control",
        A + ":" + EDGES + ":strong");
    assertBad(
        "atelier: --control-pre: applies to ControlNets; expected --control MODEL:IMAGE, found"
            + " none",
        "--control-pre",
        "canny");
    // Checked before any model is resolved (no default model here, nothing downloaded).
    CliRun early = CliRun.of("generate", "x", "--control", "a:b:c");
    assertThat(early.exitCode()).isEqualTo(2);
    assertThat(early.err())
        .startsWith("atelier: --control: expected MODEL:IMAGE[:SCALE[:START-END]]");
    List<String> five = new ArrayList<>();
    for (String c : Collections.nCopies(5, A + ":" + EDGES)) {
      five.add("--control");
      five.add(c);
    }
    assertBad(
        "atelier: control: expected at most 4 ControlNets per image (each one loads a model and"
            + " runs every step), found 5",
        five.toArray(String[]::new));
    Path narrow = TestPaths.tinyModel("controlnet-tiny-narrow");
    CliRun r =
        CliRun.of(
            "generate", "x", "--model", MODEL, "--control", narrow + ":" + EDGES, "--out", out);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("atelier: control " + narrow + ": the ControlNet ")
        .contains("channels [8, 8, 8, 16, 16]")
        .contains("takes 5 with channels [16, 16, 16, 32, 32]");
    assertThat(Files.exists(Path.of(out))).isFalse();
  }

  @Test
  void fromRepeatsTheControlNetsAndNamesOneThatIsNoLongerInstalled(@TempDir Path dir)
      throws Exception {
    String home = dir.resolve("home").toString();
    CliRun imp =
        CliRun.of(
            "models", "import", A, "--id", "canny-tiny", "--kind", "controlnet", "--home", home);
    assertThat(imp.exitCode()).as(imp.err()).isZero();
    // the control image beside the output, named relative to nothing the next run can open as is
    Files.copy(Path.of(EDGES), dir.resolve("edges.png"));
    Path first = dir.resolve("cn.png");
    CliRun gen =
        CliRun.of(
            "generate",
            "a lighthouse",
            "--model",
            MODEL,
            "--scheduler",
            "euler",
            "--steps",
            "3",
            "--seed",
            "5",
            "--control",
            "canny-tiny:" + dir.resolve("edges.png") + ":0.8:0-0.7",
            "--control-pre",
            "invert",
            "--home",
            home,
            "--out",
            first.toString());
    assertThat(gen.exitCode()).as(gen.err()).isZero();
    ImageRecord rec = ArtworkPng.read(first);
    assertThat(rec.settings().controls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.model()).isEqualTo("canny-tiny");
              assertThat(c.image()).isEqualTo(dir.resolve("edges.png").toString());
              assertThat(c.preprocess()).isEqualTo("invert");
              assertThat(c.scale()).isEqualTo(0.8);
              assertThat(c.end()).isEqualTo(0.7);
            });
    Path again = dir.resolve("again.png");
    CliRun from =
        CliRun.of(
            "generate", "--from", first.toString(), "--home", home, "--out", again.toString());
    assertThat(from.exitCode()).as(from.err()).isZero();
    assertThat(from.err()).doesNotContain("note");
    assertThat(Arrays.equals(pixels(again), pixels(first))).as("the same pixels").isTrue();
    assertThat(ArtworkPng.read(again).settings().controls()).isEqualTo(rec.settings().controls());

    // the ControlNet leaves the store: --from says which it drops and why, and paints without it
    CliRun rm = CliRun.of("models", "remove", "canny-tiny", "--home", home);
    assertThat(rm.exitCode()).as(rm.err()).isZero();
    Path without = dir.resolve("without.png");
    CliRun gone =
        CliRun.of(
            "generate", "--from", first.toString(), "--home", home, "--out", without.toString());
    assertThat(gone.exitCode()).as(gone.err()).isZero();
    assertThat(gone.err())
        .contains(
            "note: --from "
                + first
                + ": not repeated: controlnet canny-tiny (image "
                + dir.resolve("edges.png")
                + ", scale 0.8): no installed ControlNet or folder has that name");
    assertThat(ArtworkPng.read(without).settings().controls()).isNull();
    assertThat(Arrays.equals(pixels(without), pixels(first))).as("the same pixels").isFalse();
  }

  @Test
  void aControlNetGivenAsARelativePathIsRecordedAbsoluteAndNamedWhenGone(@TempDir Path dir)
      throws Exception {
    Path net = dir.resolve("cn");
    Files.createDirectories(net);
    Files.copy(Path.of(A).resolve("model.onnx"), net.resolve("model.onnx"));
    String relative = Path.of("").toAbsolutePath().relativize(net).toString();
    Path first = dir.resolve("cn.png");
    CliRun gen =
        CliRun.of(
            "generate",
            "x",
            "--model",
            MODEL,
            "--steps",
            "1",
            "--seed",
            "2",
            "--control",
            relative + ":" + EDGES,
            "--out",
            first.toString());
    assertThat(gen.exitCode()).as(gen.err()).isZero();
    assertThat(ArtworkPng.read(first).settings().controls().get(0).model())
        .isEqualTo(net.toAbsolutePath().normalize().toString());
    Files.delete(net.resolve("model.onnx"));
    Files.delete(net);
    CliRun from =
        CliRun.of("generate", "--from", first.toString(), "--out", dir.resolve("b.png").toString());
    assertThat(from.exitCode()).as(from.err()).isZero();
    assertThat(from.err())
        .contains(
            "not repeated: controlnet "
                + net.toAbsolutePath().normalize()
                + " (image "
                + EDGES
                + ", scale 1.0): no ControlNet folder or graph is there any more");
  }

  @Test
  void fromRefusesAControlImageThatChanged(@TempDir Path dir) throws Exception {
    Path edges = Files.copy(Path.of(EDGES), dir.resolve("edges.png"));
    Path first = dir.resolve("cn.png");
    CliRun gen =
        CliRun.of(
            "generate",
            "x",
            "--model",
            MODEL,
            "--steps",
            "1",
            "--seed",
            "2",
            "--control",
            A + ":" + edges,
            "--out",
            first.toString());
    assertThat(gen.exitCode()).as(gen.err()).isZero();
    BufferedImage other = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    ImageIO.write(other, "png", edges.toFile());
    Path again = dir.resolve("again.png");
    CliRun from = CliRun.of("generate", "--from", first.toString(), "--out", again.toString());
    assertThat(from.exitCode()).as(from.err()).isEqualTo(2);
    assertThat(from.err())
        .startsWith(
            "atelier: control image " + edges + ": expected the control image with SHA-256 ")
        .contains("(as recorded), found ");
    assertThat(Files.exists(again)).isFalse();
  }

  private static int[] pixels(Path png) throws Exception {
    BufferedImage img = ImageIO.read(png.toFile());
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  private static void assertBad(String message, String... extra) {
    List<String> args = new ArrayList<>(List.of("generate", "x", "--model", MODEL, "--steps", "1"));
    args.addAll(List.of(extra));
    CliRun r = CliRun.of(args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo(message);
  }
}

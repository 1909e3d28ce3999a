package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import atelier.recipe.Provenance;
import atelier.recipe.ProvenancePng;
import atelier.testing.TestPaths;
import atelier.testing.TinyUpscaler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recipe run}, {@code generate} and {@code sweep} on the tiny model: recipes upscale with
 * the installed network and record it, report every candidate they drop, and say each file as it is
 * written, after the plan and before the next image is made.
 */
class RecipeRunCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path model;
  @TempDir Path dir;

  @BeforeAll
  static void findModel() {
    model = TestPaths.tinyModel("sd15-optimum-1.22");
  }

  /**
   * Standard output that notes, at each line naming a written file, which PNGs the watched folder
   * holds at that moment.
   */
  static final class Watching extends Writer {
    final StringBuilder text = new StringBuilder();
    final List<List<String>> pngsAtEachLine = new ArrayList<>();
    private final Path folder;
    private int scanned;

    Watching(Path folder) {
      this.folder = folder;
    }

    @Override
    public void write(char[] c, int off, int len) {
      text.append(c, off, len);
      for (int nl; (nl = text.indexOf("\n", scanned)) >= 0; scanned = nl + 1) {
        String line = text.substring(scanned, nl);
        if (line.startsWith("wrote ") || line.contains(" → ")) {
          pngsAtEachLine.add(pngs(folder));
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  static List<String> pngs(Path folder) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".png") && !n.startsWith(".") && !n.contains("basemap"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CliRun run(Writer out, String... args) {
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliRun(code, out.toString(), err.toString());
  }

  private String[] phone(Path home, Path out, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--home",
                home.toString(),
                "recipe",
                "run",
                "phone-wallpaper",
                "-m",
                model.toString(),
                "--seed",
                "3",
                "--set",
                "generate.base=64",
                "--set",
                "generate.steps=1",
                "-o",
                out.toString()));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @Test
  void recipesUpscaleWithTheInstalledNetworkAndRecordWhich() throws Exception {
    Path home = dir.resolve("home");
    TinyUpscaler.install(AtelierHome.at(home));
    String[] size = {
      "--set", "generate.batch=1", "--set", "upscale.width=128", "--set", "upscale.height=288"
    };
    CliRun net = CliRun.of(concat(phone(home, dir.resolve("net")), size));
    assertThat(net.exitCode()).as(net.err()).isZero();
    assertThat(net.out()).contains("(128×288, upscaled with tiny-x2)").doesNotContain("Lanczos");
    assertThat(net.err()).contains("phone-wallpaper: upscale seed 3 from 64×128 to 128×288");
    Path a = dir.resolve("net/phone-wallpaper-3.png");
    Provenance p = ProvenancePng.read(a).orElseThrow();
    assertThat(p.upscaler()).isEqualTo(TinyUpscaler.ID);

    // The same image resized with Lanczos (as the recipe asks with method lanczos) differs.
    CliRun lz =
        CliRun.of(concat(phone(home, dir.resolve("lz")), size, "--set", "upscale.method=lanczos"));
    assertThat(lz.exitCode()).as(lz.err()).isZero();
    Path b = dir.resolve("lz/phone-wallpaper-3.png");
    assertThat(ProvenancePng.read(b).orElseThrow().upscaler()).isEqualTo("lanczos");
    assertThat(pixels(ImageIO.read(a.toFile()))).isNotEqualTo(pixels(ImageIO.read(b.toFile())));

    // Without an installed network: Lanczos, said before the work.
    CliRun none = CliRun.of(concat(phone(dir.resolve("empty"), dir.resolve("none")), size));
    assertThat(none.exitCode()).as(none.err()).isZero();
    assertThat(none.out())
        .contains("note: upscale method auto: no super-resolution model is installed");
    assertThat(none.out().indexOf("note: upscale"))
        .isLessThan(none.out().indexOf("wrote "))
        .isNotNegative();
    assertThat(ProvenancePng.read(dir.resolve("none/phone-wallpaper-3.png")).orElseThrow())
        .extracting(Provenance::upscaler)
        .isEqualTo("lanczos");
  }

  @Test
  void aRecipeBatchReportsEveryCandidateWithTheSelectionFiles() throws Exception {
    Path out = dir.resolve("phone");
    CliRun r =
        CliRun.of(
            phone(dir.resolve("home"), out, "--set", "generate.batch=3", "--set", "upscale=null"));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("phone-wallpaper: 3 candidates ranked by technical")
        .contains("kept")
        .contains("yield ")
        .contains("report " + out.resolve("selection-phone-wallpaper-3.json"));
    assertThat(r.out().lines().filter(l -> l.matches("\\s+\\d+\\s+seed \\d+ .*"))).hasSize(3);
    assertThat(r.out().indexOf("candidates ranked by")).isLessThan(r.out().indexOf("wrote "));
    assertThat(r.out().lines().filter(l -> l.matches("\\s+\\d+\\s+seed \\d+ .*not among.*")))
        .hasSize(2);
    JsonNode report = JSON.readTree(out.resolve("selection-phone-wallpaper-3.json").toFile());
    assertThat(report.fieldNames())
        .toIterable()
        .contains("ranked_by", "scale", "candidates", "keep", "passed", "yield", "images");
    assertThat(report.get("images")).hasSize(3);
    JsonNode kept = report.get("images").get(0);
    assertThat(kept.get("kept").asBoolean()).isTrue();
    assertThat(Path.of(kept.get("file").asText())).exists();
    assertThat(report.get("images").get(1).get("rejected").asText()).isNotBlank();
    assertThat(ImageIO.read(out.resolve("selection-phone-wallpaper-3.png").toFile())).isNotNull();

    CliRun j =
        CliRun.of(
            phone(
                dir.resolve("home"),
                dir.resolve("j"),
                "--set",
                "generate.batch=2",
                "--set",
                "upscale=null",
                "--json"));
    assertThat(j.exitCode()).as(j.err()).isZero();
    JsonNode sel = JSON.readTree(j.out()).get("selections").get(0);
    assertThat(sel.get("job").asText()).isEqualTo("phone-wallpaper");
    assertThat(sel.get("images")).hasSize(2);
    assertThat(Path.of(sel.get("sheet").asText())).exists();
  }

  @Test
  void aRecipeSaysItsPlanFirstAndEachFileBeforeTheNextImage() throws Exception {
    Path recipe = dir.resolve("pair.yaml");
    Files.writeString(
        recipe,
        "format: atelier-recipe/1\nname: pair\nversion: 1\n"
            + "params: {item: {default: a fox}}\n"
            + "prompt: {text: \"{item} in the snow\"}\n"
            + "generate: {width: 64, height: 64, steps: 1, seed: 4}\n"
            + "series: {param: item, items: [a fox, an owl]}\n");
    Path out = dir.resolve("pair");
    Watching stdout = new Watching(out);
    CliRun r =
        run(
            stdout,
            "recipe",
            "run",
            recipe.toString(),
            "-m",
            model.toString(),
            "-o",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    String text = stdout.text.toString();
    assertThat(text.indexOf("pair-002: seed 4")).isLessThan(text.indexOf("wrote ")).isPositive();
    assertThat(stdout.pngsAtEachLine)
        .containsExactly(List.of("pair-001-4.png"), List.of("pair-001-4.png", "pair-002-4.png"));
    assertThat(r.err())
        .contains("[1/2] pair-001: generate 1 image, seed 4")
        .contains("[2/2] pair-002: generate 1 image, seed 4");
  }

  @Test
  void generateSaysEachFileBeforeTheNextImage() {
    Path out = dir.resolve("gen");
    Watching stdout = new Watching(out);
    CliRun r =
        run(
            stdout,
            "generate",
            "a cat",
            "-m",
            model.toString(),
            "-W",
            "64",
            "-H",
            "64",
            "--steps",
            "1",
            "--seed",
            "1",
            "--batch",
            "2",
            "-o",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(stdout.pngsAtEachLine).hasSize(2);
    assertThat(stdout.pngsAtEachLine.get(0)).hasSize(1);
    assertThat(stdout.pngsAtEachLine.get(1)).hasSize(2);
  }

  @Test
  void sweepSaysEachCellBeforeTheNextImage() {
    Path out = dir.resolve("sw");
    Watching stdout = new Watching(out);
    CliRun r =
        run(
            stdout,
            "sweep",
            "a cat",
            "--x",
            "seed=1..2",
            "-W",
            "64",
            "-H",
            "64",
            "--steps",
            "1",
            "-m",
            model.toString(),
            "-o",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(stdout.pngsAtEachLine)
        .containsExactly(
            List.of("sweep-x1.png"), List.of("sweep-x1.png", "sweep-x2.png"), pngs(out));
    assertThat(stdout.text.toString()).startsWith("2 cells over: a cat\n");
  }

  private static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  private static String[] concat(String[] a, String... more) {
    return Stream.concat(Stream.of(a), Stream.of(more)).toArray(String[]::new);
  }

  private static String[] concat(String[] a, String[] b, String... more) {
    return concat(concat(a, b), more);
  }

  @Test
  void recipeRunTakesLorasAndAWallpaperPhoto() throws Exception {
    Path lora = TestPaths.repoRoot().resolve("core/src/test/resources/lora/tiny-sd15.safetensors");
    Path photo = TestPaths.repoRoot().resolve("core/src/test/resources/golden/basemap-64.png");
    CliRun r =
        CliRun.of(
            phone(
                dir.resolve("home"),
                dir.resolve("lora"),
                "--set",
                "generate.batch=1",
                "--set",
                "generate.steps=2",
                "--set",
                "upscale.width=64",
                "--set",
                "upscale.height=128",
                "--set",
                "upscale.method=lanczos",
                "--input",
                photo.toString(),
                "--lora",
                lora + ":0.5"));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("  note: recipe: the input picture (64×64) was kept whole")
        .containsPattern("lora tiny-sd15: (\\d+) of \\1 modules matched")
        .contains("(64×128, upscaled with lanczos)");
    CliRun bad =
        CliRun.of(phone(dir.resolve("home"), dir.resolve("bad"), "--lora", "missing-lora:0.5"));
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .startsWith(
            "atelier: lora missing-lora: expected a .safetensors file or an installed LoRA");
    assertThat(pngs(dir.resolve("bad"))).isEmpty();
  }
}

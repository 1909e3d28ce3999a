package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.image.PngText;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The craft commands through the real CLI entry point: exit codes, files and output. */
class CraftCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  record Result(int code, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  private Path png(String name, int w, int h, int argb) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, argb);
      }
    }
    Path f = dir.resolve(name);
    ImageIO.write(img, "png", f.toFile());
    return f;
  }

  @Test
  void basemapAppliesTheChainAndRecordsIt() throws Exception {
    Path in = png("in.png", 6, 4, 0xff646464);
    Path out = dir.resolve("out.png");
    Result r =
        run(
            "basemap",
            in.toString(),
            "--op",
            "brightness:0.1",
            "--op",
            "crop:1:1",
            "-o",
            out.toString(),
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("width").asInt()).isEqualTo(4);
    assertThat(j.get("steps").get(0).asText()).isEqualTo("brightness:amount=0.1");
    BufferedImage img = ImageIO.read(out.toFile());
    assertThat(img.getRGB(0, 0)).isEqualTo(0xff7e7e7e); // 100 + 25.5 → 126
    assertThat(PngText.read(out).get("atelier-basemap"))
        .contains("\"crop:aspect=1:1,anchor=center\"");
  }

  @Test
  void basemapErrorsExitWithTwo() {
    Result r =
        run("basemap", "--canvas", "8,8", "--op", "blurr:2", "-o", dir.resolve("x.png").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("basemap step 2 'blurr:2'", "found 'blurr'");
    assertThat(run("basemap", "--op", "blur:1", "-o", dir.resolve("x.png").toString()).err())
        .contains("expected an input image or a chain starting with canvas");
    assertThat(run("basemap", "--list").out())
        .contains("canvas", "noise", "logo", "hue-saturation");
  }

  @Test
  void promptsListShowAndBuild() throws Exception {
    assertThat(run("prompts", "list").out()).contains("style", "artist", "wallpaper");
    assertThat(run("prompts", "show", "style/pixel-art").out()).contains("prompt: (pixel art:1.2)");
    Result a = run("prompts", "build", "classic", "--seed", "11", "--count", "3", "--json");
    Result b = run("prompts", "build", "classic", "--seed", "11", "--count", "3", "--json");
    assertThat(a.code()).isZero();
    assertThat(a.out()).isEqualTo(b.out());
    assertThat(a.json()).hasSize(3);
    assertThat(a.json().get(0).get("text").asText()).contains(", by ", "trending on artstation");
    Result bad = run("prompts", "build", "--pattern", "__styles__", "--seed", "1", "--json");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.json().get("error").get("message").asText()).contains("__styles__");
  }

  @Test
  void recipeListShowCheckAndSchema() throws Exception {
    Result list = run("recipe", "list", "--json");
    assertThat(list.json()).hasSize(5);
    assertThat(run("recipe", "show", "landmark").out())
        .contains("name: landmark", "strength: 0.55");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        "format: atelier-recipe/1\nname: b\nversion: 1\nprompt: {text: x}\n"
            + "basemap:\n  - canvas:8,8\n  - blurr:2\n");
    Result check = run("recipe", "check", bad.toString());
    assertThat(check.code()).isEqualTo(2);
    assertThat(check.err())
        .contains("recipe.basemap[1].op: expected one of canvas", "found 'blurr'");
    assertThat(JSON.readTree(run("recipe", "schema").out()).get("title").asText())
        .contains("atelier-recipe/1");
  }

  @Test
  void recipeDryRunPlansAndWritesTheBasemap() throws Exception {
    Path out = dir.resolve("art");
    Result r =
        run(
            "recipe",
            "run",
            "art-name",
            "--text",
            "Hi",
            "--set",
            "style=watercolour",
            "--set",
            "generate.batch=2",
            "--seed",
            "9",
            "--dry-run",
            "-o",
            out.toString(),
            "--json");
    assertThat(r.code()).as(r.err() + r.out()).isZero();
    JsonNode job = r.json().get("jobs").get(0);
    assertThat(job.get("seed").asLong()).isEqualTo(9);
    assertThat(job.get("batch").asInt()).isEqualTo(2);
    assertThat(job.get("prompt").asText())
        .startsWith("the word \"Hi\" made of ")
        .contains("(watercolor painting:1.1)");
    assertThat(job.get("provenance").get("recipe").get("version").asText()).isEqualTo("1.0.0");
    assertThat(out.resolve("art-name-basemap.png")).exists();
    assertThat(r.json().get("notes").get(0).asText())
        .contains("select by clip: clip needs")
        .contains("ranking by technical instead");
    Result unknown = run("recipe", "run", "phone-wallpaper", "--set", "colour=red", "--dry-run");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("--set colour: expected a parameter (subject, style");
  }

  @Test
  void sweepDryRunListsTheCells() throws Exception {
    Result r =
        run("sweep", "a cat", "--x", "guidance=3,7", "--y", "seed=1..2", "--dry-run", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.json().get("cells")).hasSize(4);
    assertThat(r.json().get("cells").get(3).get("values").get("seed").asText()).isEqualTo("2");
    Result bad = run("sweep", "a cat", "--x", "strength=0.5", "--dry-run");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("strength: applies to image-to-image");
  }

  @Test
  void recipeRunsOnTheTinyModel() throws Exception {
    Path model = TestPaths.tinyModels().resolve("sd15-optimum-1.22");
    Assumptions.assumeTrue(Files.isDirectory(model), "tiny model sd15-optimum-1.22 is absent");
    Path out = dir.resolve("phone");
    Result r =
        run(
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
            "generate.steps=2",
            "--set",
            "generate.batch=1",
            "--set",
            "upscale.width=72",
            "--set",
            "upscale.height=160",
            "-o",
            out.toString(),
            "--json");
    assertThat(r.code()).as(r.err() + r.out()).isZero();
    Path file = Path.of(r.json().get("files").get(0).asText());
    BufferedImage img = ImageIO.read(file.toFile());
    assertThat(img.getWidth()).isEqualTo(72);
    assertThat(img.getHeight()).isEqualTo(160);
    assertThat(PngText.read(file)).containsKeys("parameters", "atelier", "atelier-provenance");
    Result sweep =
        run(
            "sweep",
            "a cat",
            "--x",
            "steps=1,2",
            "-W",
            "64",
            "-H",
            "64",
            "--seed",
            "1",
            "-m",
            model.toString(),
            "-o",
            dir.resolve("sw").toString(),
            "--json");
    assertThat(sweep.code()).as(sweep.err()).isZero();
    assertThat(Path.of(sweep.json().get("sheets").get(0).asText())).exists();
  }
}

package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.StoreFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output folder setting, package imports and the repair advice for imported models. */
class StoreAndConfigTest {
  @TempDir Path tmp;

  private CliRun run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home");
    all.add(tmp.resolve("home").toString());
    return CliRun.of(all.toArray(String[]::new));
  }

  @Test
  void theConfiguredOutputMustBeAFolder() throws Exception {
    CliRun png = run("config", "set", "output", "x.png");
    assertThat(png.exitCode()).isEqualTo(2);
    assertThat(png.err().strip())
        .isEqualTo(
            "atelier: config output: expected a folder (every run adds numbered images to it),"
                + " found the file name x.png; use --out FILE.png for one exact file");
    Path file = Files.writeString(tmp.resolve("notes"), "x");
    CliRun existing = run("config", "set", "output", file.toString());
    assertThat(existing.exitCode()).isEqualTo(2);
    assertThat(existing.err()).contains("found the file " + file);
    assertThat(run("config", "get", "output").out().strip()).isEqualTo("./outputs");

    Path dir = tmp.resolve("pictures");
    CliRun ok = run("config", "set", "output", dir.toString());
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(run("config", "get", "output").out().strip()).isEqualTo(dir.toString());
  }

  @Test
  void recipesUseTheConfiguredOutputFolderAndHelpSaysWhereImagesGo() throws Exception {
    Path dir = tmp.resolve("pictures");
    assertThat(run("config", "set", "output", dir.toString()).exitCode()).isZero();
    CliRun r =
        run("recipe", "run", "art-name", "--text", "Hi", "--seed", "9", "--dry-run", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(dir.resolve("art-name/art-name-basemap.png")).exists();
    String help = run("--help").out().replaceAll("\\s+", " ");
    assertThat(help)
        .contains(
            "Images go to the folder outputs in the current folder unless --out or config"
                + " output names another.");
    assertThat(help).doesNotContain("config, outputs");
  }

  @Test
  void anUpscalerPackageRefusesAnIdItCannotHonour() throws Exception {
    Path pkg = Files.writeString(tmp.resolve("upscalerjs-esrgan-thick-1.0.0.tgz"), "x");
    CliRun r = run("models", "import", pkg.toString(), "--id", "mine");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "atelier: --id mine: an UpscalerJS package installs one upscaler per scale under the"
                + " package's own ids (such as esrgan-thick-x4); expected no --id, found one");
    assertThat(tmp.resolve("home/models")).doesNotExist();
  }

  @Test
  void aDamagedImportIsRepairedByImportingItsSourceAgain() throws Exception {
    Path mine = StoreFixtures.copyTo(Files.createDirectories(tmp.resolve("Mine")));
    CliRun imported = run("models", "import", mine.toString());
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    // A new file in its place (the import hard-linked the source's, which stays intact).
    Path stored = tmp.resolve("home/models/mine/unet/model.onnx");
    Files.delete(stored);
    Files.writeString(stored, "damaged");
    CliRun verify = run("models", "verify", "mine");
    assertThat(verify.exitCode()).isEqualTo(3);
    assertThat(verify.out())
        .contains(
            "files failed; re-import from "
                + mine.toAbsolutePath()
                + ": atelier models import "
                + mine.toAbsolutePath()
                + " --id mine --replace")
        .doesNotContain("models pull");
    CliRun again = run("models", "import", mine.toString(), "--id", "mine", "--replace");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(run("models", "verify", "mine").exitCode()).isZero();
  }
}

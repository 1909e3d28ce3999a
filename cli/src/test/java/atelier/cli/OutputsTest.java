package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.pipeline.ArtworkPng;
import atelier.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@code generate}, {@code recipe run} and {@code sweep} write, and what they never lose. */
class OutputsTest {
  private static final String MODEL = TestPaths.tinyModel("sd15-optimum-1.22").toString();

  private static CliRun generate(long seed, String... more) {
    return CliRun.of(
        Stream.concat(
                Stream.of(
                    "generate",
                    "a cat",
                    "--model",
                    MODEL,
                    "--steps",
                    "1",
                    "-W",
                    "64",
                    "-H",
                    "64",
                    "--seed",
                    Long.toString(seed)),
                Stream.of(more))
            .toArray(String[]::new));
  }

  @Test
  void numberedNamesGoOnPast99999WithoutOverwriting(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("99999-7.png"), "someone's image");
    CliRun a = generate(5, "--out", dir.toString());
    CliRun b = generate(5, "--out", dir.toString());
    assertThat(a.exitCode()).as(a.err()).isZero();
    assertThat(b.exitCode()).as(b.err()).isZero();
    assertThat(a.out()).contains("wrote " + dir.resolve("100000-5.png"));
    assertThat(b.out()).contains("wrote " + dir.resolve("100001-5.png"));
    assertThat(ArtworkPng.read(dir.resolve("100000-5.png")).settings().seed()).isEqualTo(5);
    assertThat(ArtworkPng.read(dir.resolve("100001-5.png")).settings().seed()).isEqualTo(5);
    assertThat(Files.readString(dir.resolve("99999-7.png"))).isEqualTo("someone's image");
  }

  @Test
  void anExistingOutFileIsKeptUnlessOverwriteIsGiven(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cat.png");
    Files.writeString(file, "keep me");
    CliRun r = generate(1, "--out", file.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "atelier: output "
                + file
                + ": expected a new file, found an existing one (pass --overwrite to replace it)");
    assertThat(Files.readString(file)).isEqualTo("keep me");

    CliRun o = generate(1, "--out", file.toString(), "--overwrite");
    assertThat(o.exitCode()).as(o.err()).isZero();
    assertThat(ArtworkPng.read(file).settings().seed()).isEqualTo(1);

    CliRun folder = generate(1, "--out", dir.resolve("many").toString(), "--overwrite");
    assertThat(folder.exitCode()).isEqualTo(2);
    assertThat(folder.err()).contains("--overwrite: expected --out FILE.png with it");
  }

  @Test
  void aFileInTheWayIsAOneLineErrorNotAStackTrace(@TempDir Path dir) throws Exception {
    Path blocker = Files.writeString(dir.resolve("notes.txt"), "x");
    for (String out :
        new String[] {blocker.resolve("cat.png").toString(), blocker.resolve("sub").toString()}) {
      CliRun r = generate(1, "--out", out);
      assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
      assertThat(r.err().strip())
          .isEqualTo(
              "atelier: output "
                  + out
                  + ": expected a folder at "
                  + blocker
                  + ", found a file (it cannot hold the output)");
    }
    CliRun longName = generate(1, "--out", dir.resolve("x".repeat(300) + ".png").toString());
    assertThat(longName.exitCode()).as(longName.err()).isEqualTo(2);
    assertThat(longName.err()).contains("failed: File name too long");
    assertThat(longName.err().strip().lines()).hasSize(1);
    assertThat(AtomicFilesNames.of(dir)).containsExactly("notes.txt");
  }

  @Test
  void recipeAndSweepRefuseAFileAsTheirFolder(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("out.png"), "x");
    CliRun recipe =
        CliRun.of(
            "recipe", "run", "phone-wallpaper", "-m", MODEL, "--dry-run", "-o", file.toString());
    assertThat(recipe.exitCode()).as(recipe.err()).isEqualTo(2);
    assertThat(recipe.err()).contains("output " + file + ": expected a folder at " + file);
    CliRun sweep =
        CliRun.of("sweep", "a cat", "--x", "steps=1,2", "-m", MODEL, "-o", file.toString());
    assertThat(sweep.exitCode()).as(sweep.err()).isEqualTo(2);
    assertThat(sweep.err()).contains("output " + file + ": expected a folder at " + file);
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  @Test
  void aSecondSweepIntoTheSameFolderKeepsTheFirstOnesImages(@TempDir Path dir) throws Exception {
    String[] args = {
      "sweep",
      "a cat",
      "--x",
      "seed=1,2",
      "--steps",
      "1",
      "-W",
      "64",
      "-H",
      "64",
      "-m",
      MODEL,
      "-o",
      dir.toString()
    };
    CliRun first = CliRun.of(args);
    assertThat(first.exitCode()).as(first.err()).isZero();
    List<String> before = AtomicFilesNames.of(dir);
    java.util.Map<String, byte[]> bytes = new java.util.HashMap<>();
    for (String n : before) {
      bytes.put(n, Files.readAllBytes(dir.resolve(n)));
    }
    CliRun second = CliRun.of(args);
    assertThat(second.exitCode()).as(second.err()).isZero();
    List<String> after = AtomicFilesNames.of(dir);
    assertThat(after).hasSize(2 * before.size()).containsAll(before);
    for (String n : before) {
      assertThat(Files.readAllBytes(dir.resolve(n))).isEqualTo(bytes.get(n));
    }
  }

  @Test
  void aSecondBestOfNRunKeepsTheFirstRunsReport(@TempDir Path dir) throws Exception {
    CliRun first = generate(8, "--candidates", "2", "--out", dir.toString());
    assertThat(first.exitCode()).as(first.err()).isZero();
    byte[] report = Files.readAllBytes(dir.resolve("selection-8.json"));
    CliRun second = generate(8, "--candidates", "2", "--out", dir.toString());
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("selection-8.json"))).isEqualTo(report);
    assertThat(dir.resolve("selection-8-2.json")).isRegularFile();
    assertThat(dir.resolve("selection-8-2.png")).isRegularFile();
    assertThat(second.out()).contains("report " + dir.resolve("selection-8-2.json"));
  }

  /** The names in a folder, sorted. */
  static final class AtomicFilesNames {
    static java.util.List<String> of(Path dir) throws java.io.IOException {
      try (Stream<Path> s = Files.list(dir)) {
        return s.map(p -> p.getFileName().toString()).sorted().toList();
      }
    }
  }
}

package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.Golden;
import atelier.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits on option values, checked before any work: one line, exit 2, nothing written. */
class LimitsCommandTest {
  private static final String SD15 = TestPaths.tinyModel("sd15-optimum-1.22").toString();

  @Test
  void threadCountsAreCapped(@TempDir Path dir) {
    Path out = dir.resolve("x.png");
    CliRun r =
        CliRun.of("generate", "x", "--model", SD15, "--threads", "100000", "--out", out.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("atelier: --threads: expected 1 to 256, found 100000");
    assertThat(out).doesNotExist();
    CliRun zero =
        CliRun.of("generate", "x", "--model", SD15, "--threads", "0", "--out", out.toString());
    assertThat(zero.err()).contains("--threads: expected 1 to 256, found 0");
    assertThat(Files.exists(out)).isFalse();
    CliRun upscale =
        CliRun.of(
            "upscale",
            Golden.dir().resolve("basemap-64.png").toString(),
            "--threads",
            "-1",
            "--out",
            out.toString());
    assertThat(upscale.exitCode()).as(upscale.err()).isEqualTo(2);
    assertThat(upscale.err()).contains("--threads: expected 1 to 256, found -1");
    assertThat(out).doesNotExist();
  }

  @Test
  void sizesTheUnetCannotRunAreUsageErrors(@TempDir Path dir) {
    Path out = dir.resolve("x.png");
    CliRun r =
        CliRun.of(
            "generate",
            "x",
            "--model",
            SD15,
            "-W",
            "72",
            "-H",
            "64",
            "--steps",
            "1",
            "--out",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "atelier: width: the model needs a multiple of 16 pixels, found 72; nearest: 64 or 80");
    assertThat(out).doesNotExist();
  }

  @Test
  void settingsWithoutEffectAreSaid(@TempDir Path dir) {
    Path out = dir.resolve("x.png");
    CliRun r =
        CliRun.of(
            "generate",
            "x",
            "--model",
            SD15,
            "-W",
            "64",
            "-H",
            "64",
            "--steps",
            "1",
            "--symmetry-steps",
            "0.3",
            "--fit",
            "contain",
            "--out",
            out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err())
        .contains(
            "atelier: note: --symmetry-steps ignored: it applies with --symmetry h|v|hv, found"
                + " none")
        .contains(
            "atelier: note: --fit ignored: it applies to image-to-image (--init IMAGE), found no"
                + " init image");
  }

  @Test
  void minScoreMustBeANumberOnTheScorersScale(@TempDir Path dir) {
    for (String bad : new String[] {"NaN", "Infinity", "-Infinity", "101", "-1"}) {
      CliRun r =
          CliRun.of(
              "generate",
              "x",
              "--model",
              SD15,
              "--candidates",
              "2",
              "--min-score",
              bad,
              "--out",
              dir.toString());
      assertThat(r.exitCode()).as(bad + ": " + r.err()).isEqualTo(2);
      assertThat(r.err()).contains("--min-score: expected a number from 0 to 100, found");
    }
    assertThat(dir).isEmptyDirectory();
  }
}

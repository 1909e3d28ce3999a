package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.TestPaths;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code atelier models optimize ID --int8} end to end: the variant is installed, listed and
 * generates with {@code --model NEW_ID}; bad requests are one line with exit code 2 and change
 * nothing.
 */
class ModelsOptimizeCommandTest {
  @TempDir Path tmp;

  @Test
  void writesAnInt8VariantThatGeneratesUnderItsOwnId() {
    String home = tmp.resolve("home").toString();
    Path tiny = TestPaths.tinyModel("sd15-optimum-1.22");
    CliRun imp = CliRun.of("--home", home, "models", "import", tiny.toString(), "--id", "tiny");
    assertThat(imp.exitCode()).as(imp.err()).isZero();

    CliRun r = CliRun.of("--home", home, "models", "optimize", "tiny", "--int8", "--id", "fast");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("wrote fast, the int8 variant of tiny", "40 MatMul weights quantised to int8");
    assertThat(CliRun.of("--home", home, "models", "list").out())
        .containsPattern("fast +pipeline .* ready");
    assertThat(CliRun.of("--home", home, "models", "info", "fast").out())
        .contains("origin:      int8-dynamic-matmul variant of tiny, made 20");
    CliRun info = CliRun.of("--home", home, "models", "info", "fast", "--json");
    assertThat(info.out()).contains("\"source\":\"tiny\"", "\"method\":\"int8-dynamic-matmul\"");

    Path png = tmp.resolve("a.png");
    CliRun gen =
        CliRun.of(
            "--home",
            home,
            "generate",
            "a lighthouse",
            "--model",
            "fast",
            "--steps",
            "2",
            "--seed",
            "1",
            "--out",
            png.toString());
    assertThat(gen.exitCode()).as(gen.err()).isZero();
    assertThat(png).exists();
  }

  @Test
  void badRequestsAreOneLineWithExitCode2() {
    String home = tmp.resolve("home").toString();
    CliRun unknown = CliRun.of("--home", home, "models", "optimize", "nope", "--int8");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err().strip())
        .doesNotContain("\n")
        .contains("model nope: expected an installed model id", "found none");
    CliRun noMethod = CliRun.of("--home", home, "models", "optimize", "nope");
    assertThat(noMethod.exitCode()).isEqualTo(2);
    assertThat(noMethod.err().strip()).doesNotContain("\n").contains("expected a method (--int8)");

    Path tiny = TestPaths.tinyModel("sd15-optimum-1.22");
    CliRun.of("--home", home, "models", "import", tiny.toString(), "--id", "tiny");
    assertThat(CliRun.of("--home", home, "models", "optimize", "tiny", "--int8").exitCode())
        .isZero();
    CliRun twice = CliRun.of("--home", home, "models", "optimize", "tiny-int8", "--int8");
    assertThat(twice.exitCode()).isEqualTo(2);
    assertThat(twice.err().strip())
        .doesNotContain("\n")
        .contains("tiny-int8 is already the int8 variant of tiny");
    assertThat(tmp.resolve("home/models/tiny-int8-int8")).doesNotExist();
  }
}

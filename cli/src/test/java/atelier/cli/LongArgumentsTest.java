package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.pipeline.ArtworkPng;
import atelier.testing.ChildJvm;
import atelier.testing.TestPaths;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a real process with a 100,000-character prompt: before the fix ONNX Runtime's start
 * overflowed the main thread's stack (SIGSEGV, exit 139, no message) at any command line over about
 * 3.9 KB, even {@code --version} with one long argument.
 */
class LongArgumentsTest {
  private static final String PROMPT =
      "a lighthouse ".repeat(100_000 / 13 + 1).substring(0, 100_000);

  @Test
  void generatesWithAHundredThousandCharacterPrompt(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("long.png");
    ChildJvm c =
        ChildJvm.run(
            dir,
            120,
            List.of(
                "-Datelier.home=" + dir.resolve("home"), "-Datelier.cache=" + dir.resolve("cache")),
            Main.class,
            "generate",
            PROMPT,
            "--model",
            TestPaths.tinyModel("sd15-optimum-1.22").toString(),
            "--steps",
            "1",
            "-W",
            "64",
            "-H",
            "64",
            "--seed",
            "3",
            "--out",
            png.toString());
    assertThat(c.exitCode()).as(c.output()).isZero();
    assertThat(c.output()).contains("wrote " + png);
    assertThat(ArtworkPng.read(png).settings().prompt()).hasSize(100_000);
  }

  @Test
  void versionWithALongArgumentIsAUsageErrorNotACrash(@TempDir Path dir) throws Exception {
    ChildJvm c = ChildJvm.run(dir, 120, Main.class, "--version", "a".repeat(100_000));
    assertThat(c.exitCode()).as(c.output()).isIn(0, 2);
    assertThat(c.output()).doesNotContain("\tat ");
  }
}

package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtLoggingLevel;
import atelier.BadRequestException;
import atelier.testing.ChildJvm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's own error lines ({@code [E:onnxruntime:…]}) follow {@code atelier.ort.log}: the
 * test builds set {@code fatal} so expected failures do not flood the output, and the failure still
 * reaches the caller as an {@code InferenceException} with ORT's message.
 */
class OrtLogTest {

  @Test
  void fatalSilencesOrtsOwnLogButNotTheException(@TempDir Path dir) throws Exception {
    ChildJvm loud = ChildJvm.run(dir, 60, List.of("-Datelier.ort.log=error"), OrtLogProbe.class);
    assertThat(loud.output()).contains("[E:onnxruntime").contains("caught: matmul");

    ChildJvm quiet = ChildJvm.run(dir, 60, List.of("-Datelier.ort.log=fatal"), OrtLogProbe.class);
    assertThat(quiet.exitCode()).as(quiet.output()).isZero();
    assertThat(quiet.output())
        .doesNotContain("[E:onnxruntime")
        .contains("caught: matmul (matmul.onnx) failed with inputs")
        .contains("MatMul");
  }

  @Test
  void logLevelNames() {
    assertThat(OrtRuntime.logLevel(null)).isEqualTo(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
    assertThat(OrtRuntime.logLevel(" Fatal ")).isEqualTo(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
    assertThat(OrtRuntime.logLevel("warning")).isEqualTo(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING);
    assertThatThrownBy(() -> OrtRuntime.logLevel("loud"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "atelier.ort.log: expected verbose, info, warning, error or fatal, found 'loud'");
  }

  @Test
  void startStackGrowsWithTheCommandLine() {
    assertThat(OrtRuntime.startStackBytes(0)).isEqualTo(16L << 20);
    // 2 MiB of arguments (Linux's usual limit) at ~250 bytes of stack per byte, twice over.
    assertThat(OrtRuntime.startStackBytes(2L << 20)).isGreaterThan(2 * 250L * (2L << 20));
    assertThat(OrtRuntime.commandLineBytes()).isPositive();
  }
}

package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JVM exits while threads create and run sessions (as on Ctrl-C or SIGTERM): ONNX Runtime's
 * gate makes the exit wait for them, so the process ends normally — before the fix it sometimes
 * died with SIGSEGV in libonnxruntime.so+0xeb23a7 and left an hs_err file (as the committed crash
 * log of an upscale benchmark did).
 */
class NativeExitTest {

  @ParameterizedTest(name = "exit after {0} ms")
  @ValueSource(ints = {400, 700, 1000})
  void exitingDuringSessionsNeverCrashes(int millis, @TempDir Path dir) throws Exception {
    ChildJvm c = ChildJvm.run(dir, 60, NativeExitProbe.class, Integer.toString(millis));
    assertThat(c.output()).contains("exiting").doesNotContain("fatal error", "SIGSEGV");
    assertThat(c.exitCode()).as(c.output()).isZero();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).noneMatch(f -> f.getFileName().toString().startsWith("hs_err"));
    }
  }
}

package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.ChildJvm;
import atelier.testing.TestPaths;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A huge command line must not crash the JVM when ONNX Runtime starts (its telemetry parses
 * /proc/self/cmdline recursively, about 250 bytes of stack per byte; docs/native.md): a child JVM
 * whose main thread has the default 1 MiB stack generates with a 100,000-character prompt. Before
 * the fix it died with SIGSEGV (exit 139) at any command line over about 3.9 KB.
 */
class LongArgvTest {

  @Test
  void aLibraryUserWithAHugeArgumentGeneratesOnTheMainThread(@TempDir Path dir) throws Exception {
    String prompt = "a lighthouse ".repeat(100_000 / 13 + 1).substring(0, 100_000);
    Path model = TestPaths.tinyModel("sd15-optimum-1.22");
    ChildJvm c = ChildJvm.run(dir, 120, LongArgvProbe.class, model.toString(), prompt);
    assertThat(c.exitCode()).as(c.output()).isZero();
    assertThat(c.output()).contains("ok 1 image, prompt of 100000");
  }
}

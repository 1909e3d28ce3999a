package atelier.image;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.ChildJvm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image finished while the JVM exits (Ctrl-C) is still encoded: no shutdown-hook dependency. */
class PngTextAtExitTest {

  @Test
  void encodesInsideAShutdownHook(@TempDir Path dir) throws Exception {
    ChildJvm c = ChildJvm.run(dir, 60, PngAtExitProbe.class);
    assertThat(c.output()).contains("encoded").doesNotContain("Shutdown in progress");
    assertThat(c.exitCode()).isZero();
  }
}

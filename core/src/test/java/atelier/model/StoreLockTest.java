package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model lock excludes another process (an OS file lock), not only other threads. */
class StoreLockTest {
  @TempDir Path tmp;

  /** Run in a child JVM: holds the lock file until its standard input closes. */
  public static void main(String[] args) throws IOException {
    try (FileChannel c =
            FileChannel.open(
                Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        var lock = c.lock()) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // Wait for the parent to close our input.
      }
    }
  }

  @Test
  void aSecondProcessWaitsForTheLock() throws Exception {
    ModelStore store = new ModelStore(tmp.resolve("models"));
    Path lockFile = tmp.resolve("models/.m.lock");
    java.nio.file.Files.createDirectories(lockFile.getParent());
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                StoreLockTest.class.getName(),
                lockFile.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader r =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertThat(r.readLine()).isEqualTo("locked");
      AtomicBoolean waited = new AtomicBoolean();
      CountDownLatch acquired = new CountDownLatch(1);
      Thread t =
          new Thread(
              () -> {
                try (StoreLock lock = store.lock("m", () -> waited.set(true))) {
                  acquired.countDown();
                }
              });
      t.start();
      assertThat(acquired.await(700, TimeUnit.MILLISECONDS)).isFalse();
      assertThat(waited).isTrue();
      child.getOutputStream().close();
      assertThat(acquired.await(10, TimeUnit.SECONDS)).isTrue();
      t.join(5000);
    } finally {
      child.destroyForcibly();
    }
  }
}

package atelier.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code main} run in a child JVM on the test class path (for what only a whole process shows:
 * crashes, exit paths, the command line's size). Output is stdout and stderr together.
 */
public record ChildJvm(int exitCode, String output) {

  /**
   * Runs {@code mainClass} with {@code args} in {@code dir}; fails after {@code timeoutSeconds}.
   */
  public static ChildJvm run(Path dir, long timeoutSeconds, Class<?> mainClass, String... args)
      throws IOException, InterruptedException {
    return run(dir, timeoutSeconds, List.of(), mainClass, args);
  }

  /** Like {@link #run(Path, long, Class, String...)} with JVM options such as {@code -Dx=y}. */
  public static ChildJvm run(
      Path dir, long timeoutSeconds, List<String> jvmOptions, Class<?> mainClass, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.addAll(jvmOptions);
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    // In the environment, so that only the arguments make up the command line (LongArgvTest).
    pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    Process p = pb.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader =
        new Thread(
            () -> {
              try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
              } catch (IOException e) {
                // The child is gone; what was read is kept.
              }
            });
    reader.setDaemon(true);
    reader.start();
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new AssertionError(
            mainClass.getSimpleName() + " did not exit within " + timeoutSeconds + " s: " + out);
      }
      reader.join(5_000);
      return new ChildJvm(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }
}

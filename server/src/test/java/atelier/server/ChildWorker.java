package atelier.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link WorkerMain} in its own JVM, on this test's class path; killed like {@code kill -9}. */
final class ChildWorker implements AutoCloseable {
  final Process process;

  private ChildWorker(Process process) {
    this.process = process;
  }

  static ChildWorker start(
      String db, Path storage, int threads, long leaseMs, Path starts, Path log)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx128m",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-cp",
                    classPath,
                    WorkerMain.class.getName(),
                    db,
                    storage.toString(),
                    Integer.toString(threads),
                    Long.toString(leaseMs),
                    starts.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    return new ChildWorker(pb.start());
  }

  long pid() {
    return process.pid();
  }

  /** Whether {@code workerId} (host:pid:…/thread) is one of this process's threads. */
  boolean owns(String workerId) {
    return workerId != null && workerId.contains(":" + pid() + ":");
  }

  /** Kills the process at once, as {@code kill -9} does: no shutdown hooks, no cleanup. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}

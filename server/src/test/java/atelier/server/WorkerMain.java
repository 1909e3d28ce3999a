package atelier.server;

import atelier.AtelierHome;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A worker process for the multi-process tests: {@code WorkerMain DB STORAGE THREADS LEASE_MS
 * STARTS_DIR} runs {@link TinyExecutor} jobs from the queue until it is killed.
 */
public final class WorkerMain {
  private WorkerMain() {}

  public static void main(String[] args) throws Exception {
    String db = args[0];
    Path storage = Path.of(args[1]);
    int threads = Integer.parseInt(args[2]);
    long leaseMs = Long.parseLong(args[3]);
    Path starts = Path.of(args[4]);
    WorkerSettings settings =
        new WorkerSettings(
            threads,
            Duration.ofMillis(leaseMs),
            Duration.ofMillis(leaseMs / 4),
            Duration.ofMillis(20),
            3);
    JobQueue queue = JobQueues.open(db, AtelierHome.at(storage));
    Worker worker = new Worker(queue, new TinyExecutor(starts), storage, settings);
    worker.start();
    System.out.println("worker " + worker.name() + " started");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}

package atelier.server;

import atelier.AtelierHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Measures the queue, not the painting: jobs/s for 200 tiny jobs with 1 and 2 local worker threads
 * on SQLite and 2 on PostgreSQL (a cluster of its own with fsync on), then a recovery run (a worker
 * process killed like {@code kill -9} with jobs queued and one running, then restarted). A harness,
 * not a test: see docs/server.md for how to run it and the figures it printed.
 */
public final class QueueThroughput {
  private static final int JOBS = 200;
  private static final int RUNS = 3;
  private static final WorkerSettings SETTINGS =
      new WorkerSettings(1, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofMillis(5), 3);

  private QueueThroughput() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("atelier-queue-bench-");
    System.out.printf(
        Locale.ROOT,
        "%d tiny jobs (a 16x16 PNG each) per run, after one warm-up run; %d cores, java %s%n",
        JOBS,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    DbFactory sqlite = n -> "jdbc:sqlite:" + dir.resolve(n + ".db");
    once(sqlite.create("warm-up"), dir, "warm-up", 2, 0);
    run("sqlite", sqlite, dir, 1);
    run("sqlite", sqlite, dir, 2);
    PostgresCluster pg = PostgresCluster.startDurable();
    if (pg == null) {
      System.out.println("postgresql: not installed, skipped");
    } else {
      run("postgresql", n -> pg.newDatabase(), dir, 2);
    }
    recovery(dir);
    System.exit(0);
  }

  /** Runs {@code name} {@value #RUNS} times on fresh databases and prints the median and range. */
  private static void run(String name, DbFactory db, Path dir, int threads) throws Exception {
    double[] submit = new double[RUNS];
    double[] runs = new double[RUNS];
    for (int r = 0; r < RUNS; r++) {
      double[] rates = once(db.create(name + "-" + threads + "-" + r), dir, name, threads, r);
      submit[r] = rates[0];
      runs[r] = rates[1];
    }
    Arrays.sort(submit);
    Arrays.sort(runs);
    System.out.printf(
        Locale.ROOT,
        "%-10s %d worker thread%s: run %5.0f jobs/s (%4.1f ms per job; %d runs %.0f to %.0f),"
            + " submit %5.0f jobs/s%n",
        name,
        threads,
        threads == 1 ? " " : "s",
        runs[RUNS / 2],
        1000 / runs[RUNS / 2],
        RUNS,
        runs[0],
        runs[RUNS - 1],
        submit[RUNS / 2]);
  }

  @FunctionalInterface
  interface DbFactory {
    String create(String name) throws Exception;
  }

  private static double[] once(String db, Path dir, String name, int threads, int r)
      throws Exception {
    try (JobQueue queue = JobQueues.open(db, AtelierHome.at(dir))) {
      long t0 = System.nanoTime();
      for (int i = 0; i < JOBS; i++) {
        queue.submit(JobSubmission.of("tiny", "{\"seed\":" + i + "}"));
      }
      long t1 = System.nanoTime();
      Path storage = dir.resolve(name + "-" + threads + "-" + r);
      try (Worker worker =
          new Worker(queue, new TinyExecutor(null), storage, SETTINGS.withThreads(threads))) {
        worker.start();
        while (queue.count(JobState.DONE) < JOBS) {
          Thread.sleep(10);
        }
      }
      long t2 = System.nanoTime();
      return new double[] {JOBS / seconds(t1 - t0), JOBS / seconds(t2 - t1)};
    }
  }

  private static void recovery(Path dir) throws Exception {
    String db = "jdbc:sqlite:" + dir.resolve("recovery.db");
    Path storage = Files.createDirectories(dir.resolve("recovery"));
    Path starts = Files.createDirectories(dir.resolve("starts"));
    int jobs = 50;
    try (JobQueue queue = JobQueues.open(db, AtelierHome.at(dir))) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        ids.add(queue.submit(JobSubmission.of("tiny", "{\"seed\":" + i + ",\"sleepMs\":50}")).id());
      }
      try (ChildWorker w = ChildWorker.start(db, storage, 1, 2000, starts, dir.resolve("w1.log"))) {
        // Kill it in the middle of a job, with 10 done and the rest waiting.
        while (queue.count(JobState.DONE) < 10 || queue.count(JobState.RUNNING) == 0) {
          Thread.sleep(5);
        }
        w.kill();
      }
      int done = queue.count(JobState.DONE);
      int running = queue.count(JobState.RUNNING);
      int queued = queue.count(JobState.QUEUED);
      long t0 = System.nanoTime();
      try (ChildWorker w = ChildWorker.start(db, storage, 1, 2000, starts, dir.resolve("w2.log"))) {
        while (queue.count(JobState.DONE) < jobs) {
          Thread.sleep(5);
        }
      }
      int lost = 0;
      for (int i = 0; i < jobs; i++) {
        List<ImageRow> images = queue.images(ids.get(i));
        if (images.size() != 1
            || !java.util.Arrays.equals(
                Files.readAllBytes(storage.resolve(images.get(0).path())), TinyExecutor.png(i))) {
          lost++;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "recovery (sqlite, kill -9 of the worker process): at the kill %d done, %d running, %d"
              + " queued; after restart %d of %d done in %.1f s; images lost or"
              + " wrong: %d%n",
          done,
          running,
          queued,
          queue.count(JobState.DONE),
          jobs,
          seconds(System.nanoTime() - t0),
          lost);
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}

package atelier.cli;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.jobs.JobRunner;
import atelier.jobs.ModelCache;
import atelier.jobs.ModelResolver;
import atelier.server.CoreJobExecutor;
import atelier.server.JobQueue;
import atelier.server.JobQueues;
import atelier.server.Worker;
import atelier.server.WorkerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code atelier worker}: runs jobs from a shared queue (PostgreSQL for several machines) with a
 * warm model cache, until stopped. Images go to the storage every worker and the server share.
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Run jobs from the queue (--db postgresql://… to share one across machines).")
public final class WorkerCommand implements Callable<Integer> {
  /** Released to stop a running {@code worker} (tests; the process otherwise ends by signal). */
  static volatile CountDownLatch stop = new CountDownLatch(1);

  @Spec CommandSpec spec;

  @Option(
      names = "--db",
      paramLabel = "URL",
      description = "Queue database (default: atelier.db in the data folder).")
  String db;

  @Option(names = "--workers", paramLabel = "N", description = "Jobs run at once (1).")
  int workers = 1;

  @Option(
      names = "--storage",
      paramLabel = "DIR",
      description =
          "Where images go; the same folder the server reads (default: gallery in the data folder).")
  Path storage;

  @Option(names = "--memory", paramLabel = "MB", description = "Warm model budget (8192).")
  long memoryMb = 8192;

  @Option(names = "--device", paramLabel = "DEV", description = "cpu (default) or cuda.")
  String device;

  @Option(names = "--threads", paramLabel = "N", description = "CPU threads per operator.")
  Integer threads;

  @Override
  public Integer call() throws InterruptedException {
    if (memoryMb < 0) {
      throw new BadRequestException("--memory: expected 0 MB or more, found " + memoryMb);
    }
    WorkerSettings settings = WorkerSettings.DEFAULT.withThreads(workers);
    AtelierHome home = Home.of(spec);
    Path store = storage != null ? storage : home.root().resolve("gallery");
    try (JobQueue queue = JobQueues.open(db, home);
        ModelCache cache = new ModelCache(memoryMb << 20)) {
      JobRunner runner =
          new JobRunner(
              home,
              ModelRun.settings(spec, device, threads),
              cache,
              new ModelResolver(home, System.getenv(), ModelResolver.Downloads.of(false)));
      Worker worker = new Worker(queue, new CoreJobExecutor(runner), store, settings);
      worker.start();
      spec.commandLine()
          .getOut()
          .printf(
              "worker %s: %d thread%s on %s; images in %s%n",
              worker.name(), workers, workers == 1 ? "" : "s", queue.describe(), store);
      spec.commandLine().getOut().flush();
      try {
        stop.await();
      } finally {
        worker.stop(Duration.ofSeconds(10));
      }
    }
    return 0;
  }
}

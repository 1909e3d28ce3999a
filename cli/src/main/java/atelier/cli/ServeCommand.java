package atelier.cli;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.jobs.JobRunner;
import atelier.jobs.ModelCache;
import atelier.jobs.ModelResolver;
import atelier.model.SessionSettings;
import atelier.pipeline.TaesdDecoder;
import atelier.server.CoreJobExecutor;
import atelier.server.JobQueue;
import atelier.server.JobQueues;
import atelier.server.Studio;
import atelier.server.StudioServer;
import atelier.server.Worker;
import atelier.server.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code atelier serve}: the web UI, the native API and the A1111 subset over one persistent job
 * queue, with N local workers sharing a warm model cache. Runs until stopped (Ctrl-C, SIGTERM).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Serve the web UI (/), the native API (/api/) and the A1111-compatible API (/sdapi/v1/)"
            + " with a persistent job queue.")
public final class ServeCommand implements Callable<Integer> {
  /** Released to stop a running {@code serve} (tests; the process otherwise ends by signal). */
  static volatile CountDownLatch stop = new CountDownLatch(1);

  @Spec CommandSpec spec;

  @Option(names = "--host", paramLabel = "ADDR", description = "Address to bind (127.0.0.1).")
  String host = "127.0.0.1";

  @Option(names = "--port", paramLabel = "N", description = "Port (7860; 0 picks a free one).")
  int port = 7860;

  @Option(
      names = "--token",
      paramLabel = "T",
      description =
          "Secret clients must send (Authorization: Bearer T; Basic with T as password; browsers"
              + " open /?token=T once). Default $ATELIER_TOKEN. Required for a non-loopback --host.")
  String token;

  @Option(
      names = "--db",
      paramLabel = "URL",
      description =
          "Queue database: jdbc:sqlite:FILE or postgresql://USER@HOST/DB (default: atelier.db in"
              + " the data folder).")
  String db;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Local worker threads (1; 0 serves only, for remote `atelier worker`s).")
  int workers = 1;

  @Option(
      names = "--storage",
      paramLabel = "DIR",
      description = "Where images are kept (default: gallery in the data folder).")
  Path storage;

  @Option(
      names = "--memory",
      paramLabel = "MB",
      description = "Budget for models kept warm between jobs (8192).")
  long memoryMb = 8192;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "DIR|ID",
      description =
          "A model to offer (a folder, listed by its folder name) or an installed id; repeatable;"
              + " the first is the default.")
  List<String> models = new ArrayList<>();

  @Option(names = "--device", paramLabel = "DEV", description = "cpu (default) or cuda.")
  String device;

  @Option(names = "--threads", paramLabel = "N", description = "CPU threads per operator.")
  Integer threads;

  @Option(
      names = "--max-upload-mb",
      paramLabel = "MB",
      description = "Largest request body, uploads included (64).")
  long maxUploadMb = StudioServer.Settings.DEFAULT_MAX_REQUEST_BYTES >> 20;

  @Option(
      names = "--import-root",
      paramLabel = "DIR",
      description =
          "Let API clients import model folders placed in DIR, by folder name (needs --token).")
  Path importRoot;

  @Override
  public Integer call() throws InterruptedException {
    String secret = token != null ? token : System.getenv("ATELIER_TOKEN");
    if (workers < 0 || workers > 256) {
      throw new BadRequestException("--workers: expected 0 to 256, found " + workers);
    }
    if (memoryMb < 0) {
      throw new BadRequestException("--memory: expected 0 MB or more, found " + memoryMb);
    }
    if (maxUploadMb < 1) {
      throw new BadRequestException("--max-upload-mb: expected 1 or more, found " + maxUploadMb);
    }
    if (importRoot != null && secret == null) {
      throw new BadRequestException(
          "--import-root: expected --token T (or $ATELIER_TOKEN) too, since an import writes to the"
              + " model store; found no token");
    }
    StudioServer.Settings settings =
        new StudioServer.Settings(host, port, secret, maxUploadMb << 20);
    AtelierHome home = Home.of(spec);
    SessionSettings session = ModelRun.settings(spec, device, threads);
    Map<String, Path> offered = new LinkedHashMap<>();
    String defaultId = null;
    for (String m : models) {
      Path p = Path.of(m);
      if (Files.isDirectory(p)) {
        String id = p.toAbsolutePath().normalize().getFileName().toString();
        offered.put(id, p.toAbsolutePath().normalize());
        defaultId = defaultId == null ? id : defaultId;
      } else {
        defaultId = defaultId == null ? m : defaultId;
      }
    }
    Path store = storage != null ? storage : home.root().resolve("gallery");
    try (JobQueue queue = JobQueues.open(db, home);
        ModelCache cache = new ModelCache(memoryMb << 20)) {
      JobRunner runner =
          new JobRunner(
              home,
              session,
              cache,
              new ModelResolver(home, System.getenv(), ModelResolver.Downloads.of(false)));
      CoreJobExecutor executor =
          new CoreJobExecutor(
              runner,
              TaesdDecoder.previewer(
                  home.models().resolve("taesd"),
                  session,
                  n -> spec.commandLine().getOut().println("atelier: " + n)));
      Studio studio =
          new Studio(home, queue, store, runner, workers > 0 ? executor : null, offered);
      studio.allowImportsFrom(importRoot);
      if (defaultId != null && !offered.containsKey(defaultId)) {
        studio.checkpoint(defaultId);
      }
      Worker worker =
          workers > 0
              ? new Worker(queue, executor, store, WorkerSettings.DEFAULT.withThreads(workers))
              : null;
      if (worker != null) {
        worker.start();
      }
      try (StudioServer server = StudioServer.start(studio, settings)) {
        spec.commandLine()
            .getOut()
            .printf(
                "serving http://%s:%d/  (queue: %s; %d local worker%s; images in %s)%n",
                host.contains(":") ? "[" + host + "]" : host,
                server.port(),
                queue.describe(),
                workers,
                workers == 1 ? "" : "s",
                store);
        spec.commandLine().getOut().flush();
        stop.await();
      } finally {
        if (worker != null) {
          worker.stop(Duration.ofSeconds(10));
        }
      }
    }
    return 0;
  }
}

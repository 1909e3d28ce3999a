package atelier.server;

import atelier.AtelierHome;
import atelier.jobs.JobRunner;
import atelier.jobs.ModelCache;
import atelier.jobs.ModelResolver;
import atelier.model.Device;
import atelier.model.SessionSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real {@code atelier serve} stack for HTTP tests: SQLite queue, warm model cache, the core
 * executor and a server on a free loopback port, offering the tiny SD 1.5 model. The worker starts
 * only when a test asks, so queued jobs can be looked at first.
 */
final class StudioFixture implements AutoCloseable {
  static final String TOKEN = "s3cret-token";
  static final String MODEL = "sd15-optimum-1.22";
  static final WorkerSettings FAST =
      new WorkerSettings(1, Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofMillis(10), 3);

  final Path dir;
  final JobQueue queue;
  final ModelCache cache = new ModelCache(1L << 30);
  final Studio studio;
  final StudioServer server;
  final Worker worker;
  final HttpClient http = HttpClient.newHttpClient();
  private boolean started;

  StudioFixture(Path dir, long maxRequestBytes) {
    this(dir, maxRequestBytes, atelier.pipeline.LatentPreview.cheap(2));
  }

  StudioFixture(Path dir, long maxRequestBytes, atelier.pipeline.LatentPreview previewer) {
    this.dir = dir;
    AtelierHome home = AtelierHome.at(dir.resolve("home"));
    queue = JobQueues.open("jdbc:sqlite:" + dir.resolve("q.db"), home);
    JobRunner runner =
        new JobRunner(
            home,
            new SessionSettings(Device.CPU, 1, 0),
            cache,
            new ModelResolver(home, Map.of(), ModelResolver.Downloads.of(false)));
    CoreJobExecutor executor = new CoreJobExecutor(runner, previewer);
    Path storage = dir.resolve("outputs");
    studio =
        new Studio(home, queue, storage, runner, executor, Map.of(MODEL, TinyModels.model(MODEL)));
    worker = new Worker(queue, executor, storage, FAST);
    server =
        StudioServer.start(
            studio, new StudioServer.Settings("127.0.0.1", 0, TOKEN, maxRequestBytes));
  }

  synchronized void startWorker() {
    if (!started) {
      started = true;
      worker.start();
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path))
        .header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofSeconds(60));
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return http.send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    server.close();
    if (started) {
      worker.stop(Duration.ofSeconds(5));
    }
    cache.close();
    queue.close();
  }
}

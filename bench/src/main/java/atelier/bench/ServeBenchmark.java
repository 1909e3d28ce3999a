package atelier.bench;

import atelier.AtelierHome;
import atelier.jobs.JobRunner;
import atelier.jobs.ModelCache;
import atelier.jobs.ModelResolver;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.server.CoreJobExecutor;
import atelier.server.Job;
import atelier.server.JobControl;
import atelier.server.JobExecutor;
import atelier.server.JobQueue;
import atelier.server.JobQueues;
import atelier.server.Studio;
import atelier.server.StudioServer;
import atelier.server.Worker;
import atelier.server.WorkerSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Time to first step: the second job in a running {@code atelier serve} (model already warm)
 * against a fresh {@code atelier generate} process on the same model (JVM start, model load, text
 * encoding, one step).
 *
 * <p>Server side, in this process: the real stack (SQLite queue, {@link CoreJobExecutor}, one
 * {@link Worker} thread, {@link StudioServer} on a loopback port); a job is POSTed to {@code
 * /api/jobs} and timed from the POST to (a) the executor's first step report (exact, measured
 * inside) and (b) the first {@code progress} event with step ≥ 1 on {@code /api/jobs/ID/events}
 * (what a client sees; the stream polls every 100 ms). The first job loads the model; the following
 * ones are the "second job" figures.
 *
 * <p>CLI side: {@code java -jar CLI_JAR generate … --steps 1 --json} as a child process, timed from
 * the spawn to its exit, minus the VAE decode time its record reports: that is the time until its
 * one step was done, plus writing the PNG and exiting (a few milliseconds).
 *
 * <p>Usage: {@code java -cp atelier-bench.jar atelier.bench.ServeBenchmark --model DIR --cli-jar
 * cli/target/atelier.jar [--size 512] [--steps 20] [--runs 3] [--threads N]}.
 */
public final class ServeBenchmark {
  private static final Pattern DECODE_MS = Pattern.compile("\"decodeMs\"\\s*:\\s*([0-9.]+)");

  private ServeBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path model = null;
    Path cliJar = null;
    int size = 512;
    int steps = 20;
    int runs = 3;
    Integer threads = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = Path.of(args[++i]);
        case "--cli-jar" -> cliJar = Path.of(args[++i]);
        case "--size" -> size = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (model == null || cliJar == null || !Files.isRegularFile(cliJar)) {
      System.err.println(
          "usage: ServeBenchmark --model DIR --cli-jar cli/target/atelier.jar [--size 512]"
              + " [--steps 20] [--runs 3] [--threads N]");
      System.exit(2);
    }
    Path tmp = Files.createTempDirectory("atelier-serve-bench");
    System.out.printf(
        Locale.ROOT,
        "model %s, %d×%d, %d steps (server) / 1 step (CLI), %d runs each; %d cores, java %s%n",
        model.getFileName(),
        size,
        size,
        steps,
        runs,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    List<Double> cli = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      cli.add(cliRun(cliJar, model, size, tmp.resolve("cli-" + r), threads));
      System.out.printf(
          Locale.ROOT, "fresh CLI run %d: first step after %.0f ms%n", r + 1, last(cli));
    }
    server(model, size, steps, runs, tmp, threads, cli);
  }

  private static double last(List<Double> l) {
    return l.get(l.size() - 1);
  }

  private static double median(List<Double> l) {
    List<Double> s = new ArrayList<>(l);
    s.sort(Double::compare);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** A fresh CLI process making one 1-step image: ms until its step was done. */
  private static double cliRun(Path jar, Path model, int size, Path out, Integer threads)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-jar", jar.toString(), "--home", out.resolve("home").toString()));
    cmd.addAll(
        List.of(
            "generate",
            "a lighthouse on a cliff",
            "--model",
            model.toString(),
            "-W",
            String.valueOf(size),
            "-H",
            String.valueOf(size),
            "--steps",
            "1",
            "--seed",
            "1",
            "--out",
            out.toString(),
            "--json"));
    if (threads != null) {
      cmd.addAll(List.of("--threads", String.valueOf(threads)));
    }
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder b = new StringBuilder();
      for (String line; (line = r.readLine()) != null; ) {
        b.append(line).append('\n');
      }
      output = b.toString();
    }
    int rc = p.waitFor();
    double wall = (System.nanoTime() - t0) / 1e6;
    Matcher m = DECODE_MS.matcher(output);
    if (rc != 0 || !m.find()) {
      throw new IllegalStateException("the CLI run failed (exit " + rc + "):\n" + output);
    }
    return wall - Double.parseDouble(m.group(1));
  }

  private static void server(
      Path model, int size, int steps, int runs, Path tmp, Integer threads, List<Double> cli)
      throws Exception {
    AtelierHome home = AtelierHome.at(tmp.resolve("server-home"));
    Map<String, Long> firstStep = new ConcurrentHashMap<>();
    int cores = Runtime.getRuntime().availableProcessors();
    SessionSettings session =
        new SessionSettings(Device.CPU, threads != null ? threads : Math.max(1, cores), 0);
    try (JobQueue queue = JobQueues.open("jdbc:sqlite:" + tmp.resolve("q.db"), home);
        ModelCache cache = new ModelCache(16L << 30)) {
      JobRunner runner =
          new JobRunner(
              home,
              session,
              cache,
              new ModelResolver(home, Map.of(), ModelResolver.Downloads.of(false)));
      CoreJobExecutor core = new CoreJobExecutor(runner);
      JobExecutor timed =
          (Job job, JobControl control) ->
              core.execute(
                  job,
                  new JobControl() {
                    @Override
                    public void progress(int step, int total) {
                      if (step >= 1) {
                        firstStep.putIfAbsent(job.id(), System.nanoTime());
                      }
                      control.progress(step, total);
                    }

                    @Override
                    public atelier.CancelToken cancelToken() {
                      return control.cancelToken();
                    }
                  });
      Path storage = tmp.resolve("gallery");
      String id = model.toAbsolutePath().normalize().getFileName().toString();
      Studio studio =
          new Studio(home, queue, storage, runner, core, Map.of(id, model.toAbsolutePath()));
      try (Worker worker =
              new Worker(queue, timed, storage, WorkerSettings.DEFAULT.withThreads(1));
          StudioServer server =
              StudioServer.start(
                  studio,
                  new StudioServer.Settings(
                      "127.0.0.1", 0, null, StudioServer.Settings.DEFAULT_MAX_REQUEST_BYTES))) {
        worker.start();
        HttpClient http = HttpClient.newHttpClient();
        List<Double> inside = new ArrayList<>();
        List<Double> seen = new ArrayList<>();
        for (int r = 0; r <= runs; r++) {
          String body =
              String.format(
                  Locale.ROOT,
                  "{\"kind\":\"generate\",\"spec\":{\"prompt\":\"a lighthouse on a cliff\","
                      + "\"width\":%d,\"height\":%d,\"steps\":%d,\"seed\":%d}}",
                  size,
                  size,
                  steps,
                  r + 1);
          long t0 = System.nanoTime();
          HttpResponse<String> posted =
              http.send(
                  HttpRequest.newBuilder(uri(server, "/api/jobs"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          Matcher m = Pattern.compile("\"id\":\"([0-9a-f-]+)\"").matcher(posted.body());
          if (posted.statusCode() != 201 || !m.find()) {
            throw new IllegalStateException("submit failed: " + posted.body());
          }
          String job = m.group(1);
          double clientMs = -1;
          HttpResponse<Stream<String>> events =
              http.send(
                  HttpRequest.newBuilder(uri(server, "/api/jobs/" + job + "/events")).build(),
                  HttpResponse.BodyHandlers.ofLines());
          try (Stream<String> lines = events.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
              if (clientMs < 0 && line.startsWith("data: ") && !line.contains("\"step\":0,")) {
                if (line.contains("\"state\":\"running\"") || line.contains("\"state\":\"done\"")) {
                  clientMs = (System.nanoTime() - t0) / 1e6;
                }
              }
              if (line.equals("event: end")) {
                break;
              }
            }
          }
          Long at = firstStep.get(job);
          if (at == null) {
            throw new IllegalStateException("job " + job + " reported no step");
          }
          double insideMs = (at - t0) / 1e6;
          System.out.printf(
              Locale.ROOT,
              "server job %d%s: first step after %.0f ms (inside), %.0f ms (seen on the stream)%n",
              r + 1,
              r == 0 ? " (loads the model)" : "",
              insideMs,
              clientMs);
          if (r > 0) {
            inside.add(insideMs);
            seen.add(clientMs);
          }
        }
        System.out.printf(
            Locale.ROOT,
            "median time to first step: fresh CLI %.0f ms; running server, later jobs %.0f ms"
                + " (inside) / %.0f ms (on the stream)%n",
            median(cli),
            median(inside),
            median(seen));
        worker.stop(Duration.ofSeconds(30));
      }
    }
  }

  private static URI uri(StudioServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}

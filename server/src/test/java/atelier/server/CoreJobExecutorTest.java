package atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import atelier.jobs.GenerateSpec;
import atelier.jobs.JobRunner;
import atelier.jobs.JobSpecs;
import atelier.jobs.ModelCache;
import atelier.jobs.ModelResolver;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.ImageRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generate jobs through the queue, a worker and core's job layer on a tiny model. */
class CoreJobExecutorTest {
  static final WorkerSettings FAST =
      new WorkerSettings(1, Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofMillis(10), 3);

  @TempDir Path dir;

  static String spec(String prompt, long seed) {
    return JobSpecs.toJson(
        GenerateSpec.builder(prompt)
            .model(TinyModels.model("sd15-optimum-1.22").toString())
            .size(64, 64)
            .steps(2)
            .seed(seed)
            .build());
  }

  @Test
  void aQueuedGenerateJobEndsDoneWithItsImageAndRecordAndTheSecondReusesTheModel()
      throws Exception {
    AtelierHome home = AtelierHome.at(dir.resolve("home"));
    Path storage = dir.resolve("outputs");
    try (JobQueue queue = JobQueues.open("jdbc:sqlite:" + dir.resolve("q.db"), home);
        ModelCache cache = new ModelCache(1L << 30)) {
      JobRunner runner =
          new JobRunner(
              home,
              new SessionSettings(Device.CPU, 1, 0),
              cache,
              new ModelResolver(home, Map.of(), ModelResolver.Downloads.of(false)));
      Job first = queue.submit(JobSubmission.of("generate", spec("a lighthouse", 7)));
      Job second = queue.submit(JobSubmission.of("generate", spec("a fox", 8)));
      try (Worker worker = new Worker(queue, new CoreJobExecutor(runner), storage, FAST)) {
        worker.start();
        for (Job j : List.of(first, second)) {
          Await.until(
              Duration.ofSeconds(60),
              () -> "job to finish: " + queue.get(j.id()),
              () -> queue.get(j.id()).orElseThrow().state().isFinal());
        }
      }
      for (Job j : List.of(first, second)) {
        Job done = queue.get(j.id()).orElseThrow();
        assertThat(done.state()).as(done.errorMessage()).isEqualTo(JobState.DONE);
        assertThat(done.progressStep()).isEqualTo(done.progressTotal());
      }
      List<ImageRow> rows = queue.images(first.id());
      assertThat(rows).hasSize(1);
      ImageRow row = rows.get(0);
      assertThat(row.prompt()).isEqualTo("a lighthouse");
      assertThat(row.model()).isEqualTo("sd15-optimum-1.22");
      ImageRecord fromRow = ArtworkPng.json().readValue(row.record(), ImageRecord.class);
      assertThat(fromRow.settings().seed()).isEqualTo(7L);
      Path file = storage.resolve(row.path());
      assertThat(ArtworkPng.read(file).settings().seed()).isEqualTo(7L);
      try (Stream<Path> files = Files.list(storage)) {
        assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
      }
      assertThat(cache.loads()).as("the second job on the same model reloads nothing").isEqualTo(1);
      assertThat(queue.get(first.id()).orElseThrow().result()).isEqualTo("{\"notes\":[]}");
    }
  }

  @Test
  void aBestOfNJobStoresEachCandidatesScoreAndWhyItWasRejected() throws Exception {
    AtelierHome home = AtelierHome.at(dir.resolve("home"));
    Path storage = dir.resolve("outputs");
    try (JobQueue queue = JobQueues.open("jdbc:sqlite:" + dir.resolve("q.db"), home);
        ModelCache cache = new ModelCache(1L << 30)) {
      JobRunner runner =
          new JobRunner(
              home,
              new SessionSettings(Device.CPU, 1, 0),
              cache,
              new ModelResolver(home, Map.of(), ModelResolver.Downloads.of(false)));
      String spec =
          JobSpecs.toJson(
              GenerateSpec.builder("a hill")
                  .model(TinyModels.model("sd15-optimum-1.22").toString())
                  .size(64, 64)
                  .steps(2)
                  .seed(20L)
                  .select(3, 1, null, List.of("technical"))
                  .build());
      Job job = queue.submit(JobSubmission.of("generate", spec));
      try (Worker worker = new Worker(queue, new CoreJobExecutor(runner), storage, FAST)) {
        worker.start();
        Await.until(
            Duration.ofSeconds(60),
            () -> "job to finish: " + queue.get(job.id()),
            () -> queue.get(job.id()).orElseThrow().state().isFinal());
      }
      Job done = queue.get(job.id()).orElseThrow();
      assertThat(done.state()).as(done.errorMessage()).isEqualTo(JobState.DONE);
      JsonNode selection = new ObjectMapper().readTree(done.result()).path("selection");
      assertThat(selection.path("candidates").asInt()).isEqualTo(3);
      assertThat(selection.path("ranked_by").asText()).isEqualTo("technical");
      assertThat(selection.path("images")).hasSize(3);
      int kept = 0;
      for (JsonNode c : selection.path("images")) {
        assertThat(c.path("score").isNumber()).isTrue();
        assertThat(c.has("file")).as("no made-up file names").isFalse();
        if (c.path("kept").asBoolean()) {
          kept++;
        } else {
          assertThat(c.path("rejected").asText()).isNotBlank();
        }
      }
      assertThat(kept).isEqualTo(1);
      List<ImageRow> rows = queue.images(job.id());
      assertThat(rows).hasSize(1);
      assertThat(selection.path("images").get(0).path("seed").asLong())
          .as("the best candidate is the kept image")
          .isEqualTo(
              ArtworkPng.json()
                  .readValue(rows.get(0).record(), ImageRecord.class)
                  .settings()
                  .seed());
    }
  }
}

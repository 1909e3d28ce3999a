package atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker loop in this process, on a real SQLite queue. */
class WorkerTest {
  static final WorkerSettings FAST =
      new WorkerSettings(2, Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofMillis(10), 3);
  static final Duration LIMIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  JobQueue queue;
  Path storage;

  @BeforeEach
  void setUp() {
    queue = JobQueues.open("jdbc:sqlite:" + dir.resolve("q.db"), AtelierHome.at(dir));
    storage = dir.resolve("outputs");
  }

  @AfterEach
  void tearDown() {
    queue.close();
  }

  private Job awaitFinal(String id) throws InterruptedException {
    Await.until(LIMIT, () -> "job " + id + " to finish: " + queue.get(id), () -> finalState(id));
    return queue.get(id).orElseThrow();
  }

  private boolean finalState(String id) {
    return queue.get(id).orElseThrow().state().isFinal();
  }

  @Test
  void runsJobsAndWritesEachOutputUnderItsFinalNameOnly() throws Exception {
    List<Job> jobs =
        Stream.of(11L, 12L, 13L).map(s -> queue.submit(JobQueueContract.tiny(s))).toList();
    try (Worker worker = new Worker(queue, new TinyExecutor(null), storage, FAST)) {
      worker.start();
      for (Job job : jobs) {
        assertThat(awaitFinal(job.id()).state()).isEqualTo(JobState.DONE);
      }
    }
    for (int i = 0; i < jobs.size(); i++) {
      List<ImageRow> images = queue.images(jobs.get(i).id());
      assertThat(images).hasSize(1);
      assertThat(images.get(0).path()).isEqualTo(jobs.get(i).id() + "-0.png");
      assertThat(images.get(0).model()).isEqualTo("tiny-model");
      assertThat(storage.resolve(images.get(0).path())).hasBinaryContent(TinyExecutor.png(11 + i));
    }
    try (Stream<Path> files = Files.list(storage)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
    }
  }

  @Test
  void aFailingJobIsRecordedAndDoesNotBlockTheQueue() throws Exception {
    Job bad = queue.submit(JobSubmission.of("tiny", "{\"seed\":1,\"fail\":true}"));
    Job broken = queue.submit(JobSubmission.of("tiny", "{\"sleepMs\":0}"));
    Job good = queue.submit(JobQueueContract.tiny(2));
    try (Worker worker = new Worker(queue, new TinyExecutor(null), storage, FAST.withThreads(1))) {
      worker.start();
      assertThat(awaitFinal(good.id()).state()).isEqualTo(JobState.DONE);
    }
    Job failed = queue.get(bad.id()).orElseThrow();
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.errorKind()).isEqualTo("bad_request");
    assertThat(failed.errorMessage()).isEqualTo("tiny job: expected \"fail\": false, found true");
    Job internal = queue.get(broken.id()).orElseThrow();
    assertThat(internal.state()).isEqualTo(JobState.FAILED);
    assertThat(internal.errorKind()).isEqualTo("internal");
    assertThat(internal.errorMessage()).contains("NullPointerException");
    assertThat(queue.images(bad.id())).isEmpty();
  }

  @Test
  void aCancelledRunningJobStopsAtItsNextHeartbeatAndWritesNothing() throws Exception {
    Job slow = queue.submit(JobSubmission.of("tiny", "{\"seed\":1,\"sleepMs\":20000}"));
    try (Worker worker = new Worker(queue, new TinyExecutor(null), storage, FAST)) {
      worker.start();
      Await.until(
          LIMIT,
          () -> "job to report progress",
          () -> queue.get(slow.id()).orElseThrow().progressTotal() > 0);
      long asked = System.nanoTime();
      queue.cancel(slow.id());
      assertThat(awaitFinal(slow.id()).state()).isEqualTo(JobState.CANCELLED);
      assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(10));
    }
    assertThat(queue.images(slow.id())).isEmpty();
    assertThat(storage.resolve(slow.id() + "-0.png")).doesNotExist();
  }

  @Test
  void aWorkerThatLosesItsLeaseStopsAndLeavesTheJobToItsNewHolder() throws Exception {
    Job slow = queue.submit(JobSubmission.of("tiny", "{\"seed\":1,\"sleepMs\":20000}"));
    try (Worker worker = new Worker(queue, new TinyExecutor(null), storage, FAST.withThreads(1))) {
      worker.start();
      Await.until(
          LIMIT,
          () -> "job to start",
          () -> queue.get(slow.id()).orElseThrow().state() == JobState.RUNNING);
      // As if the lease had expired and another worker had claimed the job.
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("q.db"));
          Statement s = c.createStatement()) {
        s.execute("UPDATE jobs SET worker_id = 'thief' WHERE id = '" + slow.id() + "'");
      }
      // Its one thread runs this job only after giving the slow one up.
      Job next = queue.submit(JobQueueContract.tiny(2));
      assertThat(awaitFinal(next.id()).state()).isEqualTo(JobState.DONE);
    }
    Job job = queue.get(slow.id()).orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.RUNNING);
    assertThat(job.workerId()).isEqualTo("thief");
    assertThat(queue.images(slow.id())).isEmpty();
    assertThat(storage.resolve(slow.id() + "-0.png")).doesNotExist();
  }

  @Test
  void startingRemovesOnlyPartFilesLeftLongAgo() throws Exception {
    Files.createDirectories(storage);
    Path stale = storage.resolve(".abc-0.png.3f2a9c.part");
    Path fresh = storage.resolve(".abc-1.png.77e1.part");
    Path image = storage.resolve("abc-0.png");
    Path other = storage.resolve(".notes.part");
    for (Path p : List.of(stale, fresh, image, other)) {
      Files.writeString(p, "x");
    }
    FileTime hourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    for (Path p : List.of(stale, image, other)) {
      Files.setLastModifiedTime(p, hourAgo);
    }
    try (Worker worker = new Worker(queue, new TinyExecutor(null), storage, FAST)) {
      worker.start();
    }
    assertThat(stale).doesNotExist();
    assertThat(fresh).exists();
    assertThat(image).exists();
    assertThat(other).exists();
  }

  @Test
  void anOutputThatCannotBeWrittenFailsTheJob() throws Exception {
    Files.writeString(dir.resolve("not-a-folder"), "x");
    Job job = queue.submit(JobQueueContract.tiny(1));
    try (Worker worker =
        new Worker(queue, new TinyExecutor(null), dir.resolve("not-a-folder"), FAST)) {
      worker.start();
      Job failed = awaitFinal(job.id());
      assertThat(failed.state()).isEqualTo(JobState.FAILED);
      assertThat(failed.errorKind()).isEqualTo("internal");
      assertThat(failed.errorMessage()).startsWith("cannot write output " + job.id() + "-0.png");
    }
    assertThat(queue.images(job.id())).isEmpty();
  }

  @Test
  void fixedSeedsAreKeptAndMissingOnesAreDrawnOnce() throws IOException {
    JobSubmission kept = JobSubmission.of("generate", "{\"seed\":5}");
    assertThat(kept.withFixedSeed(new java.util.Random(1))).isSameAs(kept);
    JobSubmission drawn =
        JobSubmission.of("generate", "{\"prompt\":\"x\",\"seed\":null}")
            .withFixedSeed(new java.util.Random(1));
    assertThat(drawn.spec()).matches("\\{\"prompt\":\"x\",\"seed\":[0-9]+}");
  }
}

package atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded shape: one worker process on the SQLite file, killed like {@code kill -9} while one
 * job runs and the rest wait. Nothing is lost: after a restart every queued job runs, the
 * interrupted one runs again (at once, its dead worker being on this machine) to the same image,
 * and no partial file ever has a final name.
 */
class SqliteRecoveryTest {
  @TempDir Path dir;

  @Test
  void aKilledWorkerLosesNoJobAndTheInterruptedOneRunsAgainToTheSameImage() throws Exception {
    String db = "jdbc:sqlite:" + dir.resolve("atelier.db");
    Path storage = Files.createDirectories(dir.resolve("outputs"));
    Path starts = Files.createDirectories(dir.resolve("starts"));
    try (JobQueue queue = JobQueues.open(db, AtelierHome.at(dir))) {
      List<Job> jobs = new ArrayList<>();
      jobs.add(queue.submit(JobSubmission.of("tiny", "{\"seed\":100,\"sleepMs\":2000}")));
      for (int i = 1; i < 10; i++) {
        jobs.add(queue.submit(JobSubmission.of("tiny", "{\"seed\":" + (100 + i) + "}")));
      }
      String interrupted = jobs.get(0).id();

      try (ChildWorker first = start(db, storage, starts, "first")) {
        Await.until(
            Duration.ofSeconds(30),
            () -> "the first job to start: " + queue.get(interrupted),
            () -> queue.get(interrupted).orElseThrow().state() == JobState.RUNNING);
        Thread.sleep(300);
        first.kill();
      }
      // After the crash: the interrupted job is still held by the dead worker, the rest wait.
      assertThat(queue.get(interrupted).orElseThrow().state()).isEqualTo(JobState.RUNNING);
      assertThat(queue.count(JobState.QUEUED)).isEqualTo(9);
      assertThat(storage.resolve(interrupted + "-0.png")).doesNotExist();

      try (ChildWorker restarted = start(db, storage, starts, "restarted")) {
        Await.until(
            Duration.ofSeconds(30),
            () -> queue.count(JobState.DONE) + " of 10 jobs done",
            () -> queue.count(JobState.DONE) == 10);
      }
      Map<String, Long> started = ExactlyOnceContract.startCounts(starts);
      assertThat(started.get(interrupted)).isEqualTo(2);
      assertThat(queue.get(interrupted).orElseThrow().attempts()).isEqualTo(2);
      for (int i = 0; i < 10; i++) {
        List<ImageRow> images = queue.images(jobs.get(i).id());
        assertThat(images).hasSize(1);
        assertThat(storage.resolve(images.get(0).path()))
            .hasBinaryContent(TinyExecutor.png(100 + i));
      }
    }
  }

  private ChildWorker start(String db, Path storage, Path starts, String name) throws Exception {
    // A lease far longer than the test: the restarted worker must see that the killed process is
    // gone and take its job back at once, without waiting for the lease.
    return ChildWorker.start(db, storage, 1, 120_000, starts, dir.resolve(name + ".log"));
  }
}

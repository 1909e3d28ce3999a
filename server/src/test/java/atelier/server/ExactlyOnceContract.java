package atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two worker processes share one queue; one is killed like {@code kill -9} in the middle of a job.
 * Every job must still end done exactly once, with its one image, and the killed job must be taken
 * over by the other process after its lease expires.
 */
abstract class ExactlyOnceContract {
  static final int JOBS = 120;
  static final int SLOW = 10;
  static final long LEASE_MS = 2000;

  @TempDir Path dir;

  /** A URL of a new, empty database. */
  abstract String database() throws Exception;

  @Test
  void everyJobIsDoneExactlyOnceWhenAWorkerIsKilledMidJob() throws Exception {
    String db = database();
    Path storage = Files.createDirectories(dir.resolve("outputs"));
    Path starts = Files.createDirectories(dir.resolve("starts"));
    try (JobQueue queue = JobQueues.open(db, AtelierHome.at(dir))) {
      List<Job> jobs = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        long sleep = i == SLOW ? 3000 : 20;
        jobs.add(
            queue.submit(
                JobSubmission.of("tiny", "{\"seed\":" + i + ",\"sleepMs\":" + sleep + "}")));
      }
      String slow = jobs.get(SLOW).id();
      try (ChildWorker a = start(db, storage, starts, "a");
          ChildWorker b = start(db, storage, starts, "b")) {
        Await.until(
            Duration.ofSeconds(40),
            () -> "the slow job to start: " + queue.get(slow),
            () -> queue.get(slow).orElseThrow().state() == JobState.RUNNING);
        Thread.sleep(300);
        Job held = queue.get(slow).orElseThrow();
        assertThat(held.state()).isEqualTo(JobState.RUNNING);
        ChildWorker victim = a.owns(held.workerId()) ? a : b;
        ChildWorker survivor = victim == a ? b : a;
        assertThat(victim.owns(held.workerId())).isTrue();
        victim.kill();

        Await.until(
            Duration.ofSeconds(45),
            () -> queue.count(JobState.DONE) + " of " + JOBS + " jobs done",
            () -> queue.count(JobState.DONE) == JOBS);

        Job retried = queue.get(slow).orElseThrow();
        assertThat(retried.attempts()).isEqualTo(2);
        assertThat(survivor.owns(retried.workerId())).isTrue();
      }

      Map<String, Long> started = startCounts(starts);
      Set<String> finalFiles;
      try (Stream<Path> files = Files.list(storage)) {
        finalFiles =
            files
                .map(p -> p.getFileName().toString())
                .filter(n -> !n.endsWith(".part"))
                .collect(Collectors.toSet());
      }
      assertThat(finalFiles).hasSize(JOBS);
      for (int i = 0; i < JOBS; i++) {
        Job job = queue.get(jobs.get(i).id()).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.DONE);
        List<ImageRow> images = queue.images(job.id());
        assertThat(images).as("images of job %d", i).hasSize(1);
        assertThat(storage.resolve(images.get(0).path())).hasBinaryContent(TinyExecutor.png(i));
        // A job runs again only when the killed process had claimed it (it may have died before
        // starting it), so it never starts more often than it was claimed.
        assertThat(started.get(job.id()))
            .as("starts of job %d", i)
            .isBetween(1L, (long) job.attempts());
      }
      assertThat(started.get(slow)).isEqualTo(2);
    }
  }

  private ChildWorker start(String db, Path storage, Path starts, String name) throws Exception {
    return ChildWorker.start(
        db, storage, 2, LEASE_MS, starts, dir.resolve("worker-" + name + ".log"));
  }

  static Map<String, Long> startCounts(Path starts) throws Exception {
    Map<String, Long> counts = new HashMap<>();
    try (Stream<Path> logs = Files.list(starts)) {
      for (Path log : logs.toList()) {
        for (String line : Files.readAllLines(log)) {
          if (!line.isEmpty()) {
            counts.merge(line, 1L, Long::sum);
          }
        }
      }
    }
    return counts;
  }
}

package atelier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link JobQueue} must do, run against a real database by each subclass. */
abstract class JobQueueContract {
  static final Duration LEASE = Duration.ofSeconds(30);

  JobQueue queue;

  /** A new, empty queue on a real database. */
  abstract JobQueue open() throws Exception;

  @BeforeEach
  void setUp() throws Exception {
    queue = open();
  }

  @AfterEach
  void tearDown() {
    queue.close();
  }

  static JobSubmission tiny(long seed) {
    return JobSubmission.of("tiny", "{\"seed\":" + seed + "}");
  }

  static ImageRow row(String jobId, int index) {
    return new ImageRow(
        UUID.randomUUID().toString(),
        jobId,
        index,
        jobId + "-" + index + ".png",
        "a Lighthouse in a storm",
        "sd15",
        "wallpaper",
        "{}",
        null);
  }

  @Test
  void submittedJobIsQueuedWithItsSpecUnchanged() {
    Job job = queue.submit(JobSubmission.of("generate", "{\"prompt\":\"a fox\",\"seed\":7}"));
    assertThat(job.state()).isEqualTo(JobState.QUEUED);
    assertThat(job.id()).matches("[0-9a-f-]{36}");
    assertThat(job.spec()).isEqualTo("{\"prompt\":\"a fox\",\"seed\":7}");
    assertThat(job.attempts()).isZero();
    assertThat(job.createdAt()).isNotNull();
    assertThat(queue.get(job.id())).contains(job);
  }

  @Test
  void claimsHighestPriorityThenOldestAndNeverTheSameJobTwice() {
    Job a = queue.submit(tiny(1));
    Job b = queue.submit(tiny(2));
    Job urgent = queue.submit(new JobSubmission("tiny", "{\"seed\":3}", 5));
    assertThat(queue.claim("w1", LEASE).orElseThrow().id()).isEqualTo(urgent.id());
    Job first = queue.claim("w2", LEASE).orElseThrow();
    assertThat(first.id()).isEqualTo(a.id());
    assertThat(first.state()).isEqualTo(JobState.RUNNING);
    assertThat(first.workerId()).isEqualTo("w2");
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(first.leaseExpiresAt()).isAfter(first.startedAt());
    assertThat(queue.claim("w1", LEASE).orElseThrow().id()).isEqualTo(b.id());
    assertThat(queue.claim("w1", LEASE)).isEmpty();
  }

  @Test
  void completeStoresTheImagesWithTheStateChange() {
    Job job = queue.submit(tiny(1));
    queue.claim("w1", LEASE);
    assertThat(queue.complete(job.id(), "w1", List.of(row(job.id(), 0), row(job.id(), 1))))
        .isTrue();
    Job done = queue.get(job.id()).orElseThrow();
    assertThat(done.state()).isEqualTo(JobState.DONE);
    assertThat(done.finishedAt()).isNotNull();
    assertThat(done.leaseExpiresAt()).isNull();
    assertThat(queue.images(job.id())).extracting(ImageRow::index).containsExactly(0, 1);
  }

  @Test
  void completeStoresTheJobsResultAndOnlyThen() {
    Job job = queue.submit(tiny(1));
    queue.claim("w1", LEASE);
    String result = "{\"selection\":{\"candidates\":2},\"notes\":[]}";
    assertThat(queue.get(job.id()).orElseThrow().result()).isNull();
    assertThat(queue.complete(job.id(), "w2", List.of(), result)).isFalse();
    assertThat(queue.get(job.id()).orElseThrow().result()).isNull();
    assertThat(queue.complete(job.id(), "w1", List.of(), result)).isTrue();
    assertThat(queue.get(job.id()).orElseThrow().result()).isEqualTo(result);
  }

  @Test
  void aFailedImageInsertLeavesTheJobRunningWithNoImages() {
    Job job = queue.submit(tiny(1));
    queue.claim("w1", LEASE);
    // Two rows with the same index break the UNIQUE (job_id, idx) constraint half-way.
    List<ImageRow> rows = List.of(row(job.id(), 0), row(job.id(), 0));
    assertThatThrownBy(() -> queue.complete(job.id(), "w1", rows))
        .isInstanceOf(JobQueueException.class)
        .hasMessageContaining("complete failed");
    assertThat(queue.get(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(queue.images(job.id())).isEmpty();
  }

  @Test
  void aWorkerThatLostTheJobCannotFinishIt() {
    Job job = queue.submit(tiny(1));
    queue.claim("w1", LEASE);
    assertThat(queue.heartbeat(job.id(), "w2", LEASE, 1, 2)).isEqualTo(JobQueue.LeaseStatus.LOST);
    assertThat(queue.complete(job.id(), "w2", List.of(row(job.id(), 0)))).isFalse();
    assertThat(queue.fail(job.id(), "w2", "internal", "x")).isFalse();
    assertThat(queue.markCancelled(job.id(), "w2")).isFalse();
    assertThat(queue.get(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(queue.images(job.id())).isEmpty();
  }

  @Test
  void heartbeatRenewsTheLeaseAndRecordsProgress() throws Exception {
    Job job = queue.submit(tiny(1));
    Job claimed = queue.claim("w1", Duration.ofMillis(500)).orElseThrow();
    Thread.sleep(5);
    assertThat(queue.heartbeat(job.id(), "w1", LEASE, 3, 8)).isEqualTo(JobQueue.LeaseStatus.HELD);
    Job beat = queue.get(job.id()).orElseThrow();
    assertThat(beat.leaseExpiresAt()).isAfter(claimed.leaseExpiresAt());
    assertThat(beat.progressStep()).isEqualTo(3);
    assertThat(beat.progressTotal()).isEqualTo(8);
  }

  @Test
  void failRecordsKindAndMessageAndTheNextJobStillRuns() {
    Job bad = queue.submit(tiny(1));
    Job good = queue.submit(tiny(2));
    queue.claim("w1", LEASE);
    assertThat(queue.fail(bad.id(), "w1", "bad_request", "width: expected …, found 500")).isTrue();
    Job failed = queue.get(bad.id()).orElseThrow();
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.errorKind()).isEqualTo("bad_request");
    assertThat(failed.errorMessage()).isEqualTo("width: expected …, found 500");
    assertThat(queue.claim("w1", LEASE).orElseThrow().id()).isEqualTo(good.id());
  }

  @Test
  void cancelStopsAQueuedJobAtOnceAndAsksARunningOne() {
    Job queued = queue.submit(tiny(1));
    Job running = queue.submit(tiny(2));
    assertThat(queue.cancel(queued.id()).state()).isEqualTo(JobState.CANCELLED);
    assertThat(queue.claim("w1", LEASE).orElseThrow().id()).isEqualTo(running.id());
    Job asked = queue.cancel(running.id());
    assertThat(asked.state()).isEqualTo(JobState.RUNNING);
    assertThat(asked.cancelRequested()).isTrue();
    assertThat(queue.heartbeat(running.id(), "w1", LEASE, 0, 0))
        .isEqualTo(JobQueue.LeaseStatus.CANCEL_REQUESTED);
    assertThat(queue.markCancelled(running.id(), "w1")).isTrue();
    assertThat(queue.get(running.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(queue.cancel(queued.id()).state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void cancelRejectsUnknownAndFinishedJobsChangingNothing() {
    assertThatThrownBy(() -> queue.cancel("no-such-id"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("job no-such-id: expected the id of a job, found no such job");
    Job job = queue.submit(tiny(1));
    queue.claim("w1", LEASE);
    queue.complete(job.id(), "w1", List.of());
    assertThatThrownBy(() -> queue.cancel(job.id()))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "job " + job.id() + ": expected a queued or running job to cancel, found it done");
    assertThat(queue.get(job.id()).orElseThrow().state()).isEqualTo(JobState.DONE);
  }

  @Test
  void anExpiredLeaseSendsTheJobBackUntilItsAttemptsRunOut() throws Exception {
    Job job = queue.submit(tiny(1));
    queue.claim("dead-1", Duration.ofMillis(1));
    Thread.sleep(20);
    assertThat(queue.requeueExpired(2)).isEqualTo(1);
    Job requeued = queue.get(job.id()).orElseThrow();
    assertThat(requeued.state()).isEqualTo(JobState.QUEUED);
    assertThat(requeued.attempts()).isEqualTo(1);
    assertThat(queue.heartbeat(job.id(), "dead-1", LEASE, 0, 0))
        .isEqualTo(JobQueue.LeaseStatus.LOST);

    assertThat(queue.claim("dead-2", Duration.ofMillis(1)).orElseThrow().attempts()).isEqualTo(2);
    Thread.sleep(20);
    assertThat(queue.requeueExpired(2)).isEqualTo(1);
    Job failed = queue.get(job.id()).orElseThrow();
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.errorKind()).isEqualTo("interrupted");
    assertThat(failed.errorMessage()).contains("interrupted 2 times");
  }

  @Test
  void anExpiredLeaseOfItsHolderOnlyIsRequeuedAtOnce() {
    Job job = queue.submit(tiny(1));
    queue.claim("dead", LEASE);
    assertThat(queue.expireLease(job.id(), "someone-else")).isFalse();
    assertThat(queue.requeueExpired(3)).isZero();
    assertThat(queue.expireLease(job.id(), "dead")).isTrue();
    assertThat(queue.requeueExpired(3)).isEqualTo(1);
    assertThat(queue.get(job.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void aLiveLeaseIsNotRequeued() {
    Job job = queue.submit(tiny(1));
    queue.claim("w1", LEASE);
    assertThat(queue.requeueExpired(3)).isZero();
    assertThat(queue.get(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
  }

  @Test
  void anExpiredJobWhoseCancelWasAskedIsCancelledNotRequeued() throws Exception {
    Job job = queue.submit(tiny(1));
    queue.claim("dead", Duration.ofMillis(1));
    queue.cancel(job.id());
    Thread.sleep(20);
    queue.requeueExpired(3);
    assertThat(queue.get(job.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void listsAndGalleryPageNewestFirstAndFilter() {
    for (int i = 0; i < 5; i++) {
      Job job = queue.submit(tiny(i));
      queue.claim("w1", LEASE);
      ImageRow r = row(job.id(), 0);
      ImageRow image =
          new ImageRow(
              r.id(), r.jobId(), 0, r.path(), "prompt 100% " + i, "m" + (i % 2), null, "{}", null);
      queue.complete(job.id(), "w1", List.of(image));
    }
    Job last = queue.submit(tiny(9));
    assertThat(queue.list(null, 0, 2)).extracting(Job::id).first().isEqualTo(last.id());
    assertThat(queue.list(null, 0, 100)).hasSize(6);
    assertThat(queue.list(JobState.DONE, 1, 100)).hasSize(4);
    assertThat(queue.count(JobState.QUEUED)).isEqualTo(1);
    assertThat(queue.gallery(null, 0, 2))
        .extracting(ImageRow::prompt)
        .containsExactly("prompt 100% 4", "prompt 100% 3");
    assertThat(queue.gallery("m1", 0, 10)).hasSize(2);
    assertThat(queue.gallery("PROMPT 100% 2", 0, 10)).hasSize(1);
    assertThat(queue.gallery("0% 2", 0, 10)).hasSize(1);
    assertThat(queue.gallery("_", 0, 10)).isEmpty();
    assertThatThrownBy(() -> queue.list(null, 0, 0))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "page: expected offset ≥ 0 and limit from 1 to 1000, found offset 0 and limit 0");
  }
}

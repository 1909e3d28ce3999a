package atelier.server;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The persistent job queue and gallery index. Every change is one database transaction, so a
 * process killed at any point leaves each job either before or after a change, never half-way. A
 * running job is held under a lease that its worker renews; a job whose lease expires (its worker
 * died) goes back to the queue, up to a number of attempts. Thread-safe; share one per process.
 *
 * <p>Methods that change a running job take the worker's id and do nothing (returning false) when
 * that worker no longer holds the job, so a worker that lost its lease can never overwrite the
 * outcome of the worker that took the job over.
 */
public interface JobQueue extends AutoCloseable {

  /** What a worker learns when it renews its lease. */
  enum LeaseStatus {
    /** The worker still holds the job. */
    HELD,
    /** The worker still holds the job, and someone asked it to stop. */
    CANCEL_REQUESTED,
    /** The worker no longer holds the job (its lease expired and the job was re-queued). */
    LOST
  }

  /** Stores a new queued job and returns it. */
  Job submit(JobSubmission submission);

  /**
   * Takes the next queued job (highest priority, then oldest) for {@code workerId} under a lease of
   * {@code lease}, counting an attempt; empty when nothing is queued. Two workers never get the
   * same job.
   */
  Optional<Job> claim(String workerId, Duration lease);

  /**
   * Renews the lease of a running job for another {@code lease} and records its progress.
   *
   * @return whether the worker still holds the job and whether it should stop
   */
  LeaseStatus heartbeat(String jobId, String workerId, Duration lease, int step, int total);

  /**
   * Marks a running job done and stores its output images, in the same transaction.
   *
   * @return false, changing nothing, when {@code workerId} no longer holds the job
   */
  default boolean complete(String jobId, String workerId, List<ImageRow> images) {
    return complete(jobId, workerId, images, null);
  }

  /**
   * Marks a running job done and stores its output images and its result (a JSON object, or null),
   * in the same transaction.
   *
   * @return false, changing nothing, when {@code workerId} no longer holds the job
   */
  boolean complete(String jobId, String workerId, List<ImageRow> images, String result);

  /**
   * Marks a running job failed with an error kind and a one-line message.
   *
   * @return false, changing nothing, when {@code workerId} no longer holds the job
   */
  boolean fail(String jobId, String workerId, String errorKind, String errorMessage);

  /**
   * Marks a running job cancelled after its worker stopped it.
   *
   * @return false, changing nothing, when {@code workerId} no longer holds the job
   */
  boolean markCancelled(String jobId, String workerId);

  /**
   * Cancels a job: a queued one at once, a running one by asking its worker to stop (it sees the
   * request at its next heartbeat). Cancelling a cancelled job changes nothing.
   *
   * @return the job after the change
   * @throws atelier.BadRequestException when there is no such job, or it is already done or failed
   */
  Job cancel(String jobId);

  /**
   * Returns running jobs whose lease has expired to the queue; a job that has already been claimed
   * {@code maxAttempts} times fails instead (error kind {@code interrupted}), and one whose
   * cancellation was asked for is cancelled.
   *
   * @return how many jobs changed
   */
  int requeueExpired(int maxAttempts);

  /**
   * Ends the lease of a running job held by {@code workerId} now, as if it had expired: for a
   * worker known to be dead (its process is gone), so that the next {@link #requeueExpired} returns
   * the job to the queue without waiting out the lease.
   *
   * @return false, changing nothing, when {@code workerId} no longer holds the job
   */
  boolean expireLease(String jobId, String workerId);

  /** The job with this id, if any. */
  Optional<Job> get(String jobId);

  /**
   * A page of jobs, newest first.
   *
   * @param state only jobs in this state, or all when null
   * @param offset how many to skip
   * @param limit at most this many (1 to 1000)
   */
  List<Job> list(JobState state, int offset, int limit);

  /** How many jobs are in {@code state}. */
  int count(JobState state);

  /** The images of one job, in output order. */
  List<ImageRow> images(String jobId);

  /**
   * A page of the gallery, newest first.
   *
   * @param filter only images whose prompt contains this text, or model or recipe equals it (null:
   *     all)
   * @param offset how many to skip
   * @param limit at most this many (1 to 1000)
   */
  List<ImageRow> gallery(String filter, int offset, int limit);

  /** The gallery image with this id, if any. */
  Optional<ImageRow> image(String imageId);

  /**
   * Removes an image from the gallery index (its file is the caller's to remove).
   *
   * @return false when there is no such image
   */
  boolean deleteImage(String imageId);

  /** A description of the database, for logs: {@code sqlite FILE} or {@code postgresql HOST/DB}. */
  String describe();

  @Override
  void close();
}

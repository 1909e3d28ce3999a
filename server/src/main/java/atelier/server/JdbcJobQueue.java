package atelier.server;

import static atelier.server.JdbcTransactions.update;
import static atelier.server.JobRows.getJob;

import atelier.BadRequestException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The job queue on a plain JDBC table, shared by both databases: subclasses say how a transaction
 * takes the write lock, how a claim skips rows other workers hold, and what "now" is. All times
 * come from the database's clock (epoch milliseconds), so workers on machines whose clocks differ
 * still agree on leases. Thread-safe.
 */
abstract class JdbcJobQueue implements JobQueue {
  // Flyway logs each migration step at INFO through java.util.logging; only its warnings matter
  // to a person running a command. Held here so the setting is not garbage-collected.
  private static final java.util.logging.Logger FLYWAY_LOG =
      java.util.logging.Logger.getLogger("org.flywaydb");

  static {
    FLYWAY_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final JdbcTransactions tx;
  private final QueueReads reads;
  private final String description;

  JdbcJobQueue(DataSource dataSource, String migrations, String description) {
    this.description = description;
    try {
      Flyway.configure().dataSource(dataSource).locations(migrations).load().migrate();
    } catch (RuntimeException e) {
      throw new JobQueueException(description + ": cannot bring the schema up to date: " + e, e);
    }
    this.tx =
        new JdbcTransactions(
            dataSource,
            description,
            new JdbcTransactions.Control() {
              @Override
              public void begin(Connection c) throws SQLException {
                JdbcJobQueue.this.begin(c);
              }

              @Override
              public void commit(Connection c) throws SQLException {
                JdbcJobQueue.this.commit(c);
              }

              @Override
              public void rollback(Connection c) throws SQLException {
                JdbcJobQueue.this.rollback(c);
              }
            });
    this.reads = new QueueReads(tx);
  }

  /** The SQL expression for the database's current time in epoch milliseconds. */
  abstract String now();

  /** What follows the claim's SELECT so that rows other transactions hold are skipped. */
  abstract String skipLocked();

  /** Starts a transaction that holds the write lock from its start (SQLite) or as rows are hit. */
  abstract void begin(Connection c) throws SQLException;

  abstract void commit(Connection c) throws SQLException;

  abstract void rollback(Connection c) throws SQLException;

  @Override
  public Job submit(JobSubmission s) {
    String id = UUID.randomUUID().toString();
    return tx.write(
        "submit",
        c -> {
          update(
              c,
              "INSERT INTO jobs (id, kind, spec, state, priority, created_at) VALUES (?, ?, ?,"
                  + " 'queued', ?, "
                  + now()
                  + ")",
              id,
              s.kind(),
              s.spec(),
              s.priority());
          return getJob(c, id).orElseThrow();
        });
  }

  @Override
  public Optional<Job> claim(String workerId, Duration lease) {
    return tx.write(
        "claim",
        c -> {
          String id;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id FROM jobs WHERE state = 'queued' ORDER BY priority DESC, seq LIMIT 1"
                      + skipLocked())) {
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              id = rs.getString(1);
            }
          }
          int n =
              update(
                  c,
                  "UPDATE jobs SET state = 'running', worker_id = ?, attempts = attempts + 1,"
                      + " started_at = "
                      + now()
                      + ", heartbeat_at = "
                      + now()
                      + ", lease_expires_at = "
                      + now()
                      + " + ?, progress_step = 0, progress_total = 0 WHERE id = ? AND state = 'queued'",
                  workerId,
                  lease.toMillis(),
                  id);
          // The row lock (PostgreSQL) or the write lock (SQLite) makes n == 1; the state check is
          // a second guard so that no locking mistake can ever hand one job to two workers.
          return n == 1 ? getJob(c, id) : Optional.<Job>empty();
        });
  }

  @Override
  public LeaseStatus heartbeat(String jobId, String workerId, Duration lease, int step, int total) {
    return tx.write(
        "heartbeat",
        c -> {
          int n =
              update(
                  c,
                  "UPDATE jobs SET lease_expires_at = "
                      + now()
                      + " + ?, heartbeat_at = "
                      + now()
                      + ", progress_step = ?, progress_total = ? WHERE id = ? AND worker_id = ?"
                      + " AND state = 'running'",
                  lease.toMillis(),
                  step,
                  total,
                  jobId,
                  workerId);
          if (n == 0) {
            return LeaseStatus.LOST;
          }
          return getJob(c, jobId).orElseThrow().cancelRequested()
              ? LeaseStatus.CANCEL_REQUESTED
              : LeaseStatus.HELD;
        });
  }

  @Override
  public boolean complete(String jobId, String workerId, List<ImageRow> images, String result) {
    return tx.write(
        "complete",
        c -> {
          int n =
              update(
                  c,
                  "UPDATE jobs SET state = 'done', finished_at = "
                      + now()
                      + ", lease_expires_at = NULL, progress_step = progress_total, result = ?"
                      + " WHERE id = ? AND worker_id = ? AND state = 'running'",
                  result,
                  jobId,
                  workerId);
          if (n == 0) {
            return false;
          }
          for (ImageRow image : images) {
            update(
                c,
                "INSERT INTO images (id, job_id, idx, path, prompt, model, recipe, record,"
                    + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                    + now()
                    + ")",
                image.id(),
                jobId,
                image.index(),
                image.path(),
                image.prompt(),
                image.model(),
                image.recipe(),
                image.record());
          }
          return true;
        });
  }

  @Override
  public boolean fail(String jobId, String workerId, String errorKind, String errorMessage) {
    return finish(jobId, workerId, "failed", errorKind, errorMessage);
  }

  @Override
  public boolean markCancelled(String jobId, String workerId) {
    return finish(jobId, workerId, "cancelled", null, null);
  }

  private boolean finish(String jobId, String workerId, String state, String kind, String msg) {
    return tx.write(
        "finish as " + state,
        c ->
            update(
                    c,
                    "UPDATE jobs SET state = ?, finished_at = "
                        + now()
                        + ", lease_expires_at = NULL, error_kind = ?, error_message = ?"
                        + " WHERE id = ? AND worker_id = ? AND state = 'running'",
                    state,
                    kind,
                    msg,
                    jobId,
                    workerId)
                == 1);
  }

  @Override
  public Job cancel(String jobId) {
    return tx.write(
        "cancel",
        c -> {
          int n =
              update(
                  c,
                  "UPDATE jobs SET state = 'cancelled', finished_at = "
                      + now()
                      + " WHERE id = ? AND state = 'queued'",
                  jobId);
          if (n == 0) {
            update(
                c,
                "UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'",
                jobId);
          }
          Job job =
              getJob(c, jobId)
                  .orElseThrow(
                      () ->
                          new BadRequestException(
                              "job " + jobId + ": expected the id of a job, found no such job"));
          if (job.state() == JobState.DONE || job.state() == JobState.FAILED) {
            throw new BadRequestException(
                "job "
                    + jobId
                    + ": expected a queued or running job to cancel, found it "
                    + job.state().dbName());
          }
          return job;
        });
  }

  @Override
  public int requeueExpired(int maxAttempts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts: expected at least 1, found " + maxAttempts);
    }
    String expired = " WHERE state = 'running' AND lease_expires_at < " + now();
    return tx.write(
        "requeue expired leases",
        c ->
            update(
                    c,
                    "UPDATE jobs SET state = 'cancelled', finished_at = "
                        + now()
                        + ", lease_expires_at = NULL"
                        + expired
                        + " AND cancel_requested = 1")
                + update(
                    c,
                    "UPDATE jobs SET state = 'failed', finished_at = "
                        + now()
                        + ", lease_expires_at = NULL, error_kind = 'interrupted', error_message ="
                        + " 'the job was interrupted ' || attempts || ' times (its worker stopped"
                        + " renewing the lease); giving up'"
                        + expired
                        + " AND attempts >= ?",
                    maxAttempts)
                + update(
                    c,
                    "UPDATE jobs SET state = 'queued', lease_expires_at = NULL, progress_step = 0,"
                        + " progress_total = 0"
                        + expired,
                    new Object[0]));
  }

  @Override
  public boolean expireLease(String jobId, String workerId) {
    return tx.write(
        "expire a lease",
        c ->
            update(
                    c,
                    "UPDATE jobs SET lease_expires_at = 0 WHERE id = ? AND worker_id = ?"
                        + " AND state = 'running'",
                    jobId,
                    workerId)
                == 1);
  }

  @Override
  public Optional<Job> get(String jobId) {
    return reads.get(jobId);
  }

  @Override
  public List<Job> list(JobState state, int offset, int limit) {
    return reads.list(state, offset, limit);
  }

  @Override
  public int count(JobState state) {
    return reads.count(state);
  }

  @Override
  public List<ImageRow> images(String jobId) {
    return reads.images(jobId);
  }

  @Override
  public Optional<ImageRow> image(String imageId) {
    return reads.image(imageId);
  }

  @Override
  public boolean deleteImage(String imageId) {
    return reads.deleteImage(imageId);
  }

  @Override
  public List<ImageRow> gallery(String filter, int offset, int limit) {
    return reads.gallery(filter, offset, limit);
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    tx.close();
  }
}

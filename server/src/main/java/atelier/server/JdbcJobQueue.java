package atelier.server;

import atelier.BadRequestException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
  private static final String JOB_COLUMNS =
      "id, kind, spec, state, priority, attempts, worker_id, created_at, started_at, finished_at,"
          + " lease_expires_at, heartbeat_at, error_kind, error_message, progress_step,"
          + " progress_total, cancel_requested, result";
  private static final String IMAGE_COLUMNS =
      "id, job_id, idx, path, prompt, model, recipe, record, created_at";

  // Flyway logs each migration step at INFO through java.util.logging; only its warnings matter
  // to a person running a command. Held here so the setting is not garbage-collected.
  private static final java.util.logging.Logger FLYWAY_LOG =
      java.util.logging.Logger.getLogger("org.flywaydb");

  static {
    FLYWAY_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final ConnectionPool pool;
  private final String description;

  JdbcJobQueue(DataSource dataSource, String migrations, String description) {
    this.description = description;
    try {
      Flyway.configure().dataSource(dataSource).locations(migrations).load().migrate();
    } catch (RuntimeException e) {
      throw new JobQueueException(description + ": cannot bring the schema up to date: " + e, e);
    }
    this.pool = new ConnectionPool(dataSource, 16);
  }

  /** The SQL expression for the database's current time in epoch milliseconds. */
  abstract String now();

  /** What follows the claim's SELECT so that rows other transactions hold are skipped. */
  abstract String skipLocked();

  /** Starts a transaction that holds the write lock from its start (SQLite) or as rows are hit. */
  abstract void begin(Connection c) throws SQLException;

  abstract void commit(Connection c) throws SQLException;

  abstract void rollback(Connection c) throws SQLException;

  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} on a pooled connection without a transaction. */
  final <T> T read(String operation, SqlWork<T> work) {
    Connection c = borrow(operation);
    boolean broken = true;
    try {
      T result = work.run(c);
      broken = false;
      return result;
    } catch (SQLException e) {
      throw failure(operation, e);
    } finally {
      pool.release(c, broken);
    }
  }

  /** Runs {@code work} in one transaction: all of it is committed, or none of it. */
  final <T> T write(String operation, SqlWork<T> work) {
    Connection c = borrow(operation);
    boolean broken = true;
    try {
      begin(c);
      try {
        T result = work.run(c);
        commit(c);
        broken = false;
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          rollback(c);
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        if (e instanceof RuntimeException re) {
          broken = false;
          throw re;
        }
        throw (SQLException) e;
      }
    } catch (SQLException e) {
      throw failure(operation, e);
    } finally {
      pool.release(c, broken);
    }
  }

  private Connection borrow(String operation) {
    try {
      return pool.borrow();
    } catch (SQLException e) {
      throw failure(operation, e);
    }
  }

  private JobQueueException failure(String operation, SQLException e) {
    return new JobQueueException(description + ": " + operation + " failed: " + e.getMessage(), e);
  }

  @Override
  public Job submit(JobSubmission s) {
    String id = UUID.randomUUID().toString();
    return write(
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
    return write(
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
    return write(
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
    return write(
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
    return write(
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
    return write(
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
    return write(
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
    return write(
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
    return read("get job", c -> getJob(c, jobId));
  }

  @Override
  public List<Job> list(JobState state, int offset, int limit) {
    checkPage(offset, limit);
    return read(
        "list jobs",
        c -> {
          String where = state == null ? "" : " WHERE state = ?";
          Object[] args =
              state == null
                  ? new Object[] {limit, offset}
                  : new Object[] {state.dbName(), limit, offset};
          List<Job> jobs = new ArrayList<>();
          try (PreparedStatement ps =
                  prepare(
                      c,
                      "SELECT "
                          + JOB_COLUMNS
                          + " FROM jobs"
                          + where
                          + " ORDER BY seq DESC LIMIT ?"
                          + " OFFSET ?",
                      args);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              jobs.add(job(rs));
            }
          }
          return jobs;
        });
  }

  @Override
  public int count(JobState state) {
    return read(
        "count jobs",
        c -> {
          try (PreparedStatement ps =
                  prepare(c, "SELECT COUNT(*) FROM jobs WHERE state = ?", state.dbName());
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
          }
        });
  }

  @Override
  public List<ImageRow> images(String jobId) {
    return read(
        "list a job's images",
        c ->
            imageRows(
                c,
                "SELECT " + IMAGE_COLUMNS + " FROM images WHERE job_id = ? ORDER BY idx",
                jobId));
  }

  @Override
  public Optional<ImageRow> image(String imageId) {
    return read(
        "read an image",
        c -> {
          List<ImageRow> rows =
              imageRows(c, "SELECT " + IMAGE_COLUMNS + " FROM images WHERE id = ?", imageId);
          return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
        });
  }

  @Override
  public boolean deleteImage(String imageId) {
    return write(
        "delete an image",
        c -> {
          try (PreparedStatement ps = prepare(c, "DELETE FROM images WHERE id = ?", imageId)) {
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public List<ImageRow> gallery(String filter, int offset, int limit) {
    checkPage(offset, limit);
    return read(
        "list the gallery",
        c -> {
          if (filter == null || filter.isEmpty()) {
            return imageRows(
                c,
                "SELECT " + IMAGE_COLUMNS + " FROM images ORDER BY seq DESC LIMIT ? OFFSET ?",
                limit,
                offset);
          }
          return imageRows(
              c,
              "SELECT "
                  + IMAGE_COLUMNS
                  + " FROM images WHERE model = ? OR recipe = ? OR lower(prompt) LIKE ? ESCAPE '!'"
                  + " ORDER BY seq DESC LIMIT ? OFFSET ?",
              filter,
              filter,
              "%" + filter.toLowerCase(Locale.ROOT).replaceAll("[!%_]", "!$0") + "%",
              limit,
              offset);
        });
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    pool.close();
  }

  private static void checkPage(int offset, int limit) {
    if (offset < 0 || limit < 1 || limit > 1000) {
      throw new BadRequestException(
          "page: expected offset ≥ 0 and limit from 1 to 1000, found offset "
              + offset
              + " and limit "
              + limit);
    }
  }

  private Optional<Job> getJob(Connection c, String id) throws SQLException {
    try (PreparedStatement ps =
            prepare(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", id);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(job(rs)) : Optional.empty();
    }
  }

  private static List<ImageRow> imageRows(Connection c, String sql, Object... args)
      throws SQLException {
    List<ImageRow> rows = new ArrayList<>();
    try (PreparedStatement ps = prepare(c, sql, args);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rows.add(
            new ImageRow(
                rs.getString(1),
                rs.getString(2),
                rs.getInt(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                instant(rs, 9)));
      }
    }
    return rows;
  }

  private static Job job(ResultSet rs) throws SQLException {
    return new Job(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        JobState.fromDb(rs.getString(4)),
        rs.getInt(5),
        rs.getInt(6),
        rs.getString(7),
        instant(rs, 8),
        instant(rs, 9),
        instant(rs, 10),
        instant(rs, 11),
        instant(rs, 12),
        rs.getString(13),
        rs.getString(14),
        rs.getInt(15),
        rs.getInt(16),
        rs.getInt(17) != 0,
        rs.getString(18));
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    long ms = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
  }

  static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate();
    }
  }

  static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }
}

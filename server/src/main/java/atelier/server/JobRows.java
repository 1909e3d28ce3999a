package atelier.server;

import static atelier.server.JdbcTransactions.prepare;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The jobs and images tables' columns, and their rows as {@link Job}s and {@link ImageRow}s. */
final class JobRows {
  static final String JOB_COLUMNS =
      "id, kind, spec, state, priority, attempts, worker_id, created_at, started_at, finished_at,"
          + " lease_expires_at, heartbeat_at, error_kind, error_message, progress_step,"
          + " progress_total, cancel_requested, result";
  static final String IMAGE_COLUMNS =
      "id, job_id, idx, path, prompt, model, recipe, record, created_at";

  private JobRows() {}

  static Optional<Job> getJob(Connection c, String id) throws SQLException {
    try (PreparedStatement ps =
            prepare(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", id);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(job(rs)) : Optional.empty();
    }
  }

  static List<ImageRow> imageRows(Connection c, String sql, Object... args) throws SQLException {
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

  static Job job(ResultSet rs) throws SQLException {
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
}

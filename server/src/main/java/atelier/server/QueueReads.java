package atelier.server;

import static atelier.server.JdbcTransactions.prepare;
import static atelier.server.JobRows.IMAGE_COLUMNS;
import static atelier.server.JobRows.JOB_COLUMNS;
import static atelier.server.JobRows.getJob;
import static atelier.server.JobRows.imageRows;
import static atelier.server.JobRows.job;

import atelier.BadRequestException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The read side of the JDBC queue, shared by both databases: a job by id, pages of jobs, counts, a
 * job's images, the gallery with its filter, and removing a gallery row. Thread-safe.
 */
final class QueueReads {
  private final JdbcTransactions tx;

  QueueReads(JdbcTransactions tx) {
    this.tx = tx;
  }

  Optional<Job> get(String jobId) {
    return tx.read("get job", c -> getJob(c, jobId));
  }

  List<Job> list(JobState state, int offset, int limit) {
    checkPage(offset, limit);
    return tx.read(
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

  int count(JobState state) {
    return tx.read(
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

  List<ImageRow> images(String jobId) {
    return tx.read(
        "list a job's images",
        c ->
            imageRows(
                c,
                "SELECT " + IMAGE_COLUMNS + " FROM images WHERE job_id = ? ORDER BY idx",
                jobId));
  }

  Optional<ImageRow> image(String imageId) {
    return tx.read(
        "read an image",
        c -> {
          List<ImageRow> rows =
              imageRows(c, "SELECT " + IMAGE_COLUMNS + " FROM images WHERE id = ?", imageId);
          return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
        });
  }

  boolean deleteImage(String imageId) {
    return tx.write(
        "delete an image",
        c -> {
          try (PreparedStatement ps = prepare(c, "DELETE FROM images WHERE id = ?", imageId)) {
            return ps.executeUpdate() == 1;
          }
        });
  }

  List<ImageRow> gallery(String filter, int offset, int limit) {
    checkPage(offset, limit);
    return tx.read(
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

  static void checkPage(int offset, int limit) {
    if (offset < 0 || limit < 1 || limit > 1000) {
      throw new BadRequestException(
          "page: expected offset ≥ 0 and limit from 1 to 1000, found offset "
              + offset
              + " and limit "
              + limit);
    }
  }
}

package atelier.server;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The job queue in a SQLite file: the embedded default, nothing to install. Write-ahead logging
 * lets readers run beside the one writer; every change is a {@code BEGIN IMMEDIATE} transaction,
 * which takes the single write lock at its start (waiting up to the busy timeout), so two claims
 * never read the same queued row. Several processes on one machine may share the file; across
 * machines use PostgreSQL. Thread-safe.
 */
final class SqliteJobQueue extends JdbcJobQueue {
  /** How long a transaction waits for the write lock before failing. */
  static final int BUSY_TIMEOUT_MS = 30_000;

  SqliteJobQueue(Path file) {
    super(dataSource(file), "classpath:atelier/server/migration/sqlite", "sqlite " + file);
  }

  private static SQLiteDataSource dataSource(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.enforceForeignKeys(true);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    return ds;
  }

  @Override
  String now() {
    return "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
  }

  @Override
  String skipLocked() {
    // The IMMEDIATE transaction already excludes every other writer.
    return "";
  }

  @Override
  void begin(Connection c) throws SQLException {
    // Managed by hand: the driver's own transactions would begin the next one at commit, holding
    // the write lock between operations.
    try (Statement s = c.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
    }
  }

  @Override
  void commit(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("COMMIT");
    }
  }

  @Override
  void rollback(Connection c) throws SQLException {
    if (!c.getAutoCommit()) {
      c.rollback();
      return;
    }
    try (Statement s = c.createStatement()) {
      s.execute("ROLLBACK");
    }
  }
}

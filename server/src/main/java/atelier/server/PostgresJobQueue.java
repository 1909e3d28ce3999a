package atelier.server;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The job queue in PostgreSQL, shared by any number of worker processes on any number of machines.
 * A claim is one transaction that locks the first queued row with {@code FOR UPDATE SKIP LOCKED},
 * so concurrent claims each take a different job without waiting on one another. Thread-safe.
 */
final class PostgresJobQueue extends JdbcJobQueue {

  PostgresJobQueue(String jdbcUrl, String user, String password, String description) {
    super(
        dataSource(jdbcUrl, user, password),
        "classpath:atelier/server/migration/postgresql",
        description);
  }

  private static PGSimpleDataSource dataSource(String url, String user, String password) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    if (user != null) {
      ds.setUser(user);
    }
    if (password != null) {
      ds.setPassword(password);
    }
    return ds;
  }

  @Override
  String now() {
    return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
  }

  @Override
  String skipLocked() {
    return " FOR UPDATE SKIP LOCKED";
  }

  @Override
  void begin(Connection c) throws SQLException {
    c.setAutoCommit(false);
  }

  @Override
  void commit(Connection c) throws SQLException {
    c.commit();
    c.setAutoCommit(true);
  }

  @Override
  void rollback(Connection c) throws SQLException {
    c.rollback();
    c.setAutoCommit(true);
  }
}

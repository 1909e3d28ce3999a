package atelier.server;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Connections and transactions for the JDBC queue: a pooled connection per operation, reads without
 * a transaction, writes in one transaction that holds the database's write lock as its {@link
 * Control} takes it, and every {@link SQLException} turned into a {@link JobQueueException} naming
 * the database and the operation. Thread-safe.
 */
final class JdbcTransactions implements AutoCloseable {
  /** How a database begins, commits and rolls back a write transaction. */
  interface Control {
    /**
     * Starts a transaction that holds the write lock from its start (SQLite) or as rows are hit.
     */
    void begin(Connection c) throws SQLException;

    void commit(Connection c) throws SQLException;

    void rollback(Connection c) throws SQLException;
  }

  private final ConnectionPool pool;
  private final String description;
  private final Control control;

  JdbcTransactions(DataSource dataSource, String description, Control control) {
    this.pool = new ConnectionPool(dataSource, 16);
    this.description = description;
    this.control = control;
  }

  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} on a pooled connection without a transaction. */
  <T> T read(String operation, SqlWork<T> work) {
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
  <T> T write(String operation, SqlWork<T> work) {
    Connection c = borrow(operation);
    boolean broken = true;
    try {
      control.begin(c);
      try {
        T result = work.run(c);
        control.commit(c);
        broken = false;
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          control.rollback(c);
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
  public void close() {
    pool.close();
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

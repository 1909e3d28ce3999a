package atelier.server;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.LinkedBlockingDeque;
import javax.sql.DataSource;

/**
 * A small pool of JDBC connections: idle ones are reused, a connection that failed is closed
 * instead of returned. Enough for a handful of worker threads; thread-safe.
 */
final class ConnectionPool implements AutoCloseable {
  private final DataSource dataSource;
  private final int maxIdle;
  private final LinkedBlockingDeque<Connection> idle = new LinkedBlockingDeque<>();
  private volatile boolean closed;

  ConnectionPool(DataSource dataSource, int maxIdle) {
    this.dataSource = dataSource;
    this.maxIdle = maxIdle;
  }

  Connection borrow() throws SQLException {
    if (closed) {
      throw new SQLException("the job queue is closed");
    }
    Connection c = idle.pollFirst();
    return c != null ? c : dataSource.getConnection();
  }

  /** Gives {@code c} back; {@code broken} when a statement on it failed, so it is closed. */
  void release(Connection c, boolean broken) {
    if (broken || closed || idle.size() >= maxIdle) {
      closeQuietly(c);
      return;
    }
    idle.offerFirst(c);
    if (closed) {
      drain();
    }
  }

  @Override
  public void close() {
    closed = true;
    drain();
  }

  private void drain() {
    for (Connection c; (c = idle.pollFirst()) != null; ) {
      closeQuietly(c);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // Closing a broken connection can fail too; there is nothing left to release.
    }
  }
}

package atelier.server;

class SqliteExactlyOnceTest extends ExactlyOnceContract {
  @Override
  String database() {
    return "jdbc:sqlite:" + dir.resolve("queue.db");
  }
}

package atelier.server;

class PostgresExactlyOnceTest extends ExactlyOnceContract {
  @Override
  String database() throws Exception {
    return PostgresCluster.get().newDatabase();
  }
}

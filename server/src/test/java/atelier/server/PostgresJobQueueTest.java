package atelier.server;

import atelier.AtelierHome;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

class PostgresJobQueueTest extends JobQueueContract {
  private static String url;
  @TempDir Path dir;

  @Override
  JobQueue open() throws Exception {
    // One database for the class (creating one costs a checkpoint), emptied before each test
    // (DELETE is quicker than TRUNCATE on tiny tables).
    if (url == null) {
      url = PostgresCluster.get().newDatabase();
    }
    JobQueue q = JobQueues.open(url, AtelierHome.at(dir));
    try (Connection c =
            DriverManager.getConnection(
                url.replace("postgresql://atelier@", "jdbc:postgresql://"), "atelier", "");
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM images; DELETE FROM jobs");
    }
    return q;
  }
}

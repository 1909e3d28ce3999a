package atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteJobQueueTest extends JobQueueContract {
  @TempDir Path dir;

  @Override
  JobQueue open() {
    return JobQueues.open("jdbc:sqlite:" + dir.resolve("queue.db"), AtelierHome.at(dir));
  }

  @Test
  void jobsOutliveTheQueueThatStoredThem() {
    Job job = queue.submit(tiny(42));
    queue.close();
    queue = open();
    assertThat(queue.get(job.id()).orElseThrow().spec()).isEqualTo("{\"seed\":42}");
  }

  @Test
  void theDefaultDatabaseIsAFileInTheDataFolder() {
    try (JobQueue q = JobQueues.open(null, AtelierHome.at(dir.resolve("home")))) {
      q.submit(tiny(1));
      assertThat(q.describe()).isEqualTo("sqlite " + dir.resolve("home").resolve("atelier.db"));
    }
    assertThat(dir.resolve("home").resolve("atelier.db")).isRegularFile();
  }
}

package atelier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.AtelierHome;
import atelier.BadRequestException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobQueuesTest {
  @TempDir Path dir;

  @Test
  void rejectsUnknownDatabaseUrlsNamingThem() {
    assertThatThrownBy(() -> JobQueues.open("mysql://db/atelier", AtelierHome.at(dir)))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "--db: expected jdbc:sqlite:FILE, postgresql://HOST/DATABASE or"
                + " jdbc:postgresql://…, found mysql://db/atelier");
  }

  @Test
  void rejectsAnInMemorySqliteDatabaseThatWouldLoseTheQueue() {
    assertThatThrownBy(() -> JobQueues.open("jdbc:sqlite::memory:", AtelierHome.at(dir)))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("--db: expected jdbc:sqlite:FILE with a plain file path");
  }

  @Test
  void neverShowsAPasswordInAMessage() {
    assertThatThrownBy(() -> JobQueues.open("postgresql://me:s3cret@/atelier", AtelierHome.at(dir)))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "--db: expected postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE, found"
                + " postgresql://me:***@/atelier");
    assertThat(JobQueues.redact("jdbc:postgresql://h/db?user=a&password=x&ssl=true"))
        .isEqualTo("jdbc:postgresql://h/db?user=a&password=***&ssl=true");
  }

  @Test
  void anUnreachableDatabaseIsAQueueErrorNamingIt() {
    assertThatThrownBy(
            () -> JobQueues.open("postgresql://me:pw@127.0.0.1:1/atelier", AtelierHome.at(dir)))
        .isInstanceOf(JobQueueException.class)
        .hasMessageStartingWith("postgresql postgresql://me:***@127.0.0.1:1/atelier: ")
        .hasMessageNotContaining("pw@");
  }

  @Test
  void submissionsAreCheckedBeforeAnythingIsStored() {
    assertThatThrownBy(() -> JobSubmission.of("Generate!", "{}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "job kind: expected lower-case letters, digits and dashes (at most 64), found"
                + " \"Generate!\"");
    assertThatThrownBy(() -> JobSubmission.of("generate", "[1]"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("job spec: expected a JSON object, found array");
    assertThatThrownBy(() -> JobSubmission.of("generate", "{\"seed\":"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("job spec: expected a JSON object, found invalid JSON (");
  }
}

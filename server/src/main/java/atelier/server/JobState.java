package atelier.server;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where a job is in its life: {@code queued → running → done | failed | cancelled}. A running job
 * whose worker dies goes back to {@code queued} when its lease expires. The last three are final.
 */
public enum JobState {
  QUEUED,
  RUNNING,
  DONE,
  FAILED,
  CANCELLED;

  /** The name stored in the database and shown to people ({@code queued}, {@code running}, …). */
  public String dbName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether nothing more happens to a job in this state. */
  public boolean isFinal() {
    return this == DONE || this == FAILED || this == CANCELLED;
  }

  /** The state with this stored name. */
  public static JobState fromDb(String name) {
    for (JobState s : values()) {
      if (s.dbName().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "job state: expected one of "
            + Arrays.stream(values()).map(JobState::dbName).toList()
            + ", found "
            + name);
  }
}

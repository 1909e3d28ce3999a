package atelier.bench;

import atelier.model.SessionSettings;
import atelier.model.SessionTuning;

/**
 * The session-option flags the harnesses share: {@code --threads N} (intra-op; 0 = one per physical
 * core), {@code --inter-op N}, {@code --spin on|off}, {@code --arena on|off}, {@code --mem-pattern
 * on|off}, {@code --prepack on|off}. Unset flags keep Atelier's defaults ({@link
 * SessionTuning#DEFAULT}). Not thread-safe; one per command line.
 */
final class SessionFlags {
  /** The flags {@link #accept} takes, for usage lines. */
  static final String USAGE =
      "[--threads N] [--inter-op N] [--spin on|off] [--arena on|off] [--mem-pattern on|off]"
          + " [--prepack on|off]";

  private int threads;
  private SessionTuning tuning = SessionTuning.DEFAULT;

  /**
   * Takes {@code flag} with its {@code value} when it is one of these flags.
   *
   * @return false when the flag is not a session flag (the caller handles it)
   * @throws IllegalArgumentException naming the flag when the value is not valid
   */
  boolean accept(String flag, String value) {
    switch (flag) {
      case "--threads" -> threads = count(flag, value, 0);
      case "--inter-op" -> tuning = tuning.withInterOpThreads(count(flag, value, 1));
      case "--spin" -> tuning = tuning.withSpinning(onOff(flag, value));
      case "--arena" -> tuning = tuning.withArena(onOff(flag, value));
      case "--mem-pattern" -> tuning = tuning.withMemoryPattern(onOff(flag, value));
      case "--prepack" -> tuning = tuning.withPrepacking(onOff(flag, value));
      default -> {
        return false;
      }
    }
    return true;
  }

  /** Intra-op threads given ({@code 0}: ONNX Runtime's default). */
  int threads() {
    return threads;
  }

  SessionTuning tuning() {
    return tuning;
  }

  /** {@code settings} with these threads and levers. */
  SessionSettings applyTo(SessionSettings settings) {
    return settings.withIntraOpThreads(threads).withTuning(tuning);
  }

  /** What the flags set, for the harness's first line. */
  String describe() {
    return "intra-op "
        + (threads == 0 ? "default" : Integer.toString(threads))
        + ", "
        + tuning.describe();
  }

  private static int count(String flag, String value, int min) {
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= SessionSettings.MAX_THREADS) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        flag
            + ": expected "
            + min
            + " to "
            + SessionSettings.MAX_THREADS
            + ", found \""
            + value
            + "\"");
  }

  private static boolean onOff(String flag, String value) {
    return switch (value) {
      case "on" -> true;
      case "off" -> false;
      default ->
          throw new IllegalArgumentException(
              flag + ": expected on or off, found \"" + value + "\"");
    };
  }
}

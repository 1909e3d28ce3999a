package atelier.server;

import java.time.Duration;

/**
 * How a {@link Worker} runs. Immutable.
 *
 * @param threads how many jobs it runs at once (each on its own thread)
 * @param lease how long a claimed job stays ours without a heartbeat; a dead worker's job waits
 *     this long before another worker takes it
 * @param heartbeat how often the lease is renewed (well under {@code lease})
 * @param poll how long an idle thread waits before looking for work again
 * @param maxAttempts how many claims a job gets before a lease that keeps expiring fails it
 */
public record WorkerSettings(
    int threads, Duration lease, Duration heartbeat, Duration poll, int maxAttempts) {
  /** One thread, a 60 s lease renewed every 10 s, polling every 500 ms, 3 attempts. */
  public static final WorkerSettings DEFAULT =
      new WorkerSettings(
          1, Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofMillis(500), 3);

  public WorkerSettings {
    if (threads < 1 || threads > 256) {
      throw new atelier.BadRequestException(
          "--workers: expected 1 to 256 worker threads, found " + threads);
    }
    if (heartbeat.isNegative()
        || heartbeat.isZero()
        || lease.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "lease: expected at least twice the heartbeat interval "
              + heartbeat
              + ", found "
              + lease);
    }
    if (poll.isNegative() || poll.isZero()) {
      throw new IllegalArgumentException("poll: expected a positive interval, found " + poll);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts: expected at least 1, found " + maxAttempts);
    }
  }

  /** These settings with {@code n} threads. */
  public WorkerSettings withThreads(int n) {
    return new WorkerSettings(n, lease, heartbeat, poll, maxAttempts);
  }
}

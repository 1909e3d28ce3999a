package atelier.server;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds, failing the test with a description after a time limit. */
final class Await {
  private Await() {}

  static void until(Duration limit, Supplier<String> what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + limit + " waiting for: " + what.get());
      }
      Thread.sleep(20);
    }
  }
}

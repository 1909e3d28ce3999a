package atelier.cli;

import atelier.CancelToken;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM for long work. While open, the first signal only cancels the token:
 * the work stops at its next check, finished images are kept and listed, models are closed on the
 * working thread, and the command exits 130 the ordinary way — the JVM never shuts down under a
 * running ONNX Runtime session or a PNG being written. A second signal exits at once (ONNX
 * Runtime's exit gate still waits for native calls to return). Where signals cannot be handled (the
 * JVM runs with {@code -Xrs}) a shutdown hook cancels the token and waits until the work has
 * unwound, at most {@code graceMillis}. Use with try-with-resources on the working thread.
 */
final class CtrlC implements AutoCloseable {
  /** Exit code of a cancelled command (README). */
  static final int EXIT_CANCELLED = 130;

  private final CancelToken token = new CancelToken();
  private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
  private final AtomicInteger signals = new AtomicInteger();
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook;

  private CtrlC(long graceMillis) {
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        Signal s = new Signal(name);
        previous.put(s, Signal.handle(s, this::onSignal));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // Reserved by the JVM (-Xrs) or unknown here: the shutdown hook below covers it.
      }
    }
    hook =
        new Thread(
            () -> {
              token.cancel();
              try {
                done.await(graceMillis, TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "atelier-ctrl-c");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * For the process's {@code main}: outside a listening scope, SIGINT and SIGTERM exit with 130
   * (cancelled) through the JVM's ordinary exit, whose hooks wait for ONNX Runtime's native calls.
   */
  static void exitOnSignals() {
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        Signal.handle(new Signal(name), s -> System.exit(EXIT_CANCELLED));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // Reserved by the JVM (-Xrs): its own handling stays.
      }
    }
  }

  /** Starts listening; after a shutdown the working thread gets {@code graceMillis} to unwind. */
  static CtrlC listen(long graceMillis) {
    return new CtrlC(graceMillis);
  }

  private void onSignal(Signal signal) {
    if (signals.getAndIncrement() == 0) {
      token.cancel();
    } else {
      System.exit(EXIT_CANCELLED);
    }
  }

  /** The token the work checks. */
  CancelToken token() {
    return token;
  }

  @Override
  public void close() {
    done.countDown();
    previous.forEach(Signal::handle);
    previous.clear();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is exiting; the hook is running and now returns.
    }
  }
}

package atelier.cli;

import atelier.CancelToken;

/**
 * Ctrl-C for long work: while open, a shutdown hook cancels the token and gives the working thread
 * a few seconds to stop between steps, so finished images are kept and partial downloads stay
 * resumable. Use with try-with-resources on the working thread.
 */
final class CtrlC implements AutoCloseable {
  private final CancelToken token = new CancelToken();
  private final Thread hook;

  private CtrlC(long graceMillis) {
    Thread worker = Thread.currentThread();
    hook =
        new Thread(
            () -> {
              token.cancel();
              try {
                worker.join(graceMillis);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Starts listening; the working thread gets {@code graceMillis} to stop after Ctrl-C. */
  static CtrlC listen(long graceMillis) {
    return new CtrlC(graceMillis);
  }

  /** The token the work checks. */
  CancelToken token() {
    return token;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is exiting (Ctrl-C); the hook is running.
    }
  }
}

package atelier;

/**
 * Lets a caller stop long work between steps. Thread-safe: one thread cancels, the working thread
 * checks. Work also stops when its thread is interrupted.
 */
public final class CancelToken {
  /** A token that is never cancelled (but the thread can still be interrupted). */
  public static final CancelToken NONE = new CancelToken();

  private volatile boolean cancelled;

  /** Asks the work to stop at its next check. */
  public void cancel() {
    if (this == NONE) {
      throw new IllegalStateException("CancelToken.NONE cannot be cancelled; make a new token");
    }
    cancelled = true;
  }

  public boolean isCancelled() {
    return cancelled || Thread.currentThread().isInterrupted();
  }

  /** Throws {@link CancelledException} if cancellation was asked for. */
  public void check() {
    if (isCancelled()) {
      throw new CancelledException("cancelled by the caller");
    }
  }
}

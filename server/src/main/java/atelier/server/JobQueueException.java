package atelier.server;

/**
 * The queue's database failed (unreachable, full, locked for too long). The message names the
 * database and the operation; the cause is the driver's exception.
 */
public final class JobQueueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JobQueueException(String message, Throwable cause) {
    super(message, cause);
  }
}

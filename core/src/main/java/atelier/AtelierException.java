package atelier;

/**
 * The root of Atelier's own errors. Every failure that reaches a front end is one of the four kinds
 * below, so the CLI maps it to an exit code (and the server to an HTTP status) in one place.
 *
 * <p>Messages name the input, what was expected and what was found.
 */
public abstract class AtelierException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The kinds of failure, each with its CLI exit code. */
  public enum Kind {
    /** The request itself is wrong (bad size, unknown scheduler, unreadable input image). */
    BAD_REQUEST(2),
    /** A model folder is missing, incomplete or of an unsupported shape. */
    MODEL_LOAD(3),
    /** ONNX Runtime failed while running a model that had loaded. */
    INFERENCE(4),
    /** The caller cancelled the work. */
    CANCELLED(130);

    private final int exitCode;

    Kind(int exitCode) {
      this.exitCode = exitCode;
    }

    /** The process exit code the CLI uses for this kind. */
    public int exitCode() {
      return exitCode;
    }
  }

  protected AtelierException(String message) {
    super(message);
  }

  protected AtelierException(String message, Throwable cause) {
    super(message, cause);
  }

  /** What kind of failure this is. */
  public abstract Kind kind();
}

package atelier;

/** The work was cancelled by its caller (a cancel token, or an interrupted thread). */
public final class CancelledException extends AtelierException {
  private static final long serialVersionUID = 1L;

  public CancelledException(String message) {
    super(message);
  }

  public CancelledException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.CANCELLED;
  }
}

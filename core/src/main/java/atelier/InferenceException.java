package atelier;

/** A failure inside ONNX Runtime while running a model that had loaded. */
public final class InferenceException extends AtelierException {
  private static final long serialVersionUID = 1L;

  public InferenceException(String message) {
    super(message);
  }

  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.INFERENCE;
  }
}

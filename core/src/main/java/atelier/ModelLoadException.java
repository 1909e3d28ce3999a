package atelier;

/**
 * A model folder that cannot be loaded: missing files, unexpected inputs or outputs, an unsupported
 * variant or device.
 */
public final class ModelLoadException extends AtelierException {
  private static final long serialVersionUID = 1L;

  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.MODEL_LOAD;
  }
}

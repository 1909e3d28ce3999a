package atelier;

/**
 * A request that cannot be carried out as given: the message names the input, what was expected and
 * what was found.
 */
public final class BadRequestException extends AtelierException {
  private static final long serialVersionUID = 1L;

  public BadRequestException(String message) {
    super(message);
  }

  public BadRequestException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.BAD_REQUEST;
  }
}

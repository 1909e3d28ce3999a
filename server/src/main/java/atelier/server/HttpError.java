package atelier.server;

/**
 * An HTTP answer other than success, with the JSON error's kind ({@code not_found}, {@code
 * unauthorized}, …) and a one-line message. Thrown by handlers; the server turns it into {@code
 * {"error":{"kind":…,"message":…}}} with {@link #status()}.
 */
public final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String kind;

  public HttpError(int status, String kind, String message) {
    super(message);
    this.status = status;
    this.kind = kind;
  }

  /** The HTTP status code. */
  public int status() {
    return status;
  }

  /** The JSON error kind. */
  public String kind() {
    return kind;
  }

  static HttpError notFound(String what, String id) {
    return new HttpError(404, "not_found", what + ": expected an existing id, found '" + id + "'");
  }
}

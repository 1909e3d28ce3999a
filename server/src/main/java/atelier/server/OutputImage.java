package atelier.server;

/**
 * An image a job made, handed from the executor to the worker, which writes it and indexes it.
 *
 * @param extension the file extension without a dot, such as {@code png}
 * @param bytes the file's content
 * @param prompt the prompt, for gallery filtering (may be null)
 * @param model the model id (may be null)
 * @param recipe the recipe name (may be null)
 * @param record the full record as JSON (may be null)
 */
public record OutputImage(
    String extension, byte[] bytes, String prompt, String model, String recipe, String record) {
  public OutputImage {
    if (extension == null || !extension.matches("[a-z0-9]{1,8}")) {
      throw new IllegalArgumentException(
          "output extension: expected 1 to 8 lower-case letters or digits, found " + extension);
    }
    if (bytes == null) {
      throw new IllegalArgumentException("output bytes: expected the file's content, found null");
    }
  }
}

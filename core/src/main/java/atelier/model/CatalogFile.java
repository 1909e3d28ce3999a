package atelier.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.regex.Pattern;

/**
 * One file of a catalog entry, at its path inside the model folder (the exporter's own layout).
 *
 * @param path relative path with forward slashes, e.g. {@code unet/model.onnx_data}
 * @param size exact size in bytes, or null when not known (the server's headers then give it)
 * @param sha256 lower-case hex SHA-256, or null when not known (Hugging Face's {@code
 *     X-Linked-Etag} then gives it for LFS files)
 * @param approxSize a rounded size for display and the free-space check, or null
 * @param url where to fetch the file when it does not live in the entry's source repository, or
 *     null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CatalogFile(String path, Long size, String sha256, Long approxSize, String url) {
  static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public CatalogFile {
    checkPath(path);
    if (size != null && size < 0) {
      throw new IllegalArgumentException(
          "file " + path + ": size expected >= 0 bytes, found " + size);
    }
    if (approxSize != null && approxSize < 0) {
      throw new IllegalArgumentException(
          "file " + path + ": approxSize expected >= 0 bytes, found " + approxSize);
    }
    if (sha256 != null && !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException(
          "file " + path + ": sha256 expected 64 lower-case hex digits, found '" + sha256 + "'");
    }
    if (url != null && !(url.startsWith("https://") || url.startsWith("http://"))) {
      throw new IllegalArgumentException(
          "file " + path + ": url expected an http(s) address, found '" + url + "'");
    }
  }

  /** The best size known: exact, else approximate, else 0. */
  public long sizeForDisplay() {
    return size != null ? size : approxSize != null ? approxSize : 0;
  }

  /**
   * Checks a relative path inside a model folder: forward slashes, no empty, {@code .} or {@code
   * ..} segments, no hidden names (Atelier keeps its own bookkeeping in hidden files).
   *
   * @throws IllegalArgumentException naming the path and what is wrong with it
   */
  static void checkPath(String path) {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("file path: expected a relative path, found none");
    }
    if (path.startsWith("/") || path.contains("\\") || path.contains(":")) {
      throw new IllegalArgumentException(
          "file path: expected a relative path with forward slashes, found '" + path + "'");
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.startsWith(".")) {
        throw new IllegalArgumentException(
            "file path: expected segments that are not empty, '.', '..' or hidden, found '"
                + path
                + "'");
      }
    }
  }
}

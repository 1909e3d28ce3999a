package atelier.pipeline;

/**
 * Which model made an image.
 *
 * @param id the folder name
 * @param path the folder as loaded
 * @param sha256 content hash of the folder (see {@code ModelHasher})
 * @param family detected family id
 * @param variant detected exporter id
 */
public record ModelRef(String id, String path, String sha256, String family, String variant) {

  /** The first 10 hex digits of the hash, as A1111 shows a "Model hash". */
  public String shortHash() {
    return sha256 == null || sha256.length() < 10
        ? String.valueOf(sha256)
        : sha256.substring(0, 10);
  }
}

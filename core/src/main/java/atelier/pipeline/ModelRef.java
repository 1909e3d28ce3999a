package atelier.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Which model made an image.
 *
 * @param id the folder name
 * @param path the folder as loaded
 * @param sha256 content hash of the folder (see {@code ModelHasher})
 * @param family detected family id
 * @param variant detected exporter id
 * @param loras LoRAs merged into the model's weights (empty when none)
 */
public record ModelRef(
    String id,
    String path,
    String sha256,
    String family,
    String variant,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Lora> loras) {

  /**
   * One LoRA merged into the model.
   *
   * @param name as the request named it
   * @param weight its multiplier
   * @param hash A1111's short hash of the file (12 hex digits)
   * @param matched how many of its modules patched a weight
   * @param modules its modules
   */
  public record Lora(String name, double weight, String hash, int matched, int modules) {}

  public ModelRef {
    loras = loras == null ? List.of() : List.copyOf(loras);
  }

  /** A model without LoRAs. */
  public ModelRef(String id, String path, String sha256, String family, String variant) {
    this(id, path, sha256, family, variant, List.of());
  }

  /** The first 10 hex digits of the hash, as A1111 shows a "Model hash". */
  public String shortHash() {
    return sha256 == null || sha256.length() < 10
        ? String.valueOf(sha256)
        : sha256.substring(0, 10);
  }
}

package atelier.model.lora;

import java.util.List;

/**
 * How one LoRA file met a model: how many of its modules patched a weight, and which did not and
 * why (no such module in the graphs, or another shape).
 *
 * @param modules the file's LoRA modules
 * @param matched how many patched a weight
 * @param unmatched "module: reason" for the others, plus keys that form no module
 * @param hash A1111's short hash of the file (first 12 hex digits of the SHA-256 of its tensor
 *     data, after the header), written in "Lora hashes"
 */
public record LoraMatch(
    LoraUse use, int modules, int matched, List<String> unmatched, String hash) {

  /** One line for the user: "lora NAME: 64 of 64 modules matched". */
  public String summary() {
    String s = "lora " + use.name() + ": " + matched + " of " + modules + " modules matched";
    if (unmatched.isEmpty()) {
      return s;
    }
    int shown = Math.min(5, unmatched.size());
    return s
        + "; not applied: "
        + String.join(", ", unmatched.subList(0, shown))
        + (unmatched.size() > shown ? " and " + (unmatched.size() - shown) + " more" : "");
  }
}

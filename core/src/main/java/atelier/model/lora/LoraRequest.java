package atelier.model.lora;

import atelier.BadRequestException;

/**
 * A LoRA as a request names it: a {@code .safetensors} file or an installed LoRA's name, and its
 * weight.
 */
public record LoraRequest(String name, double weight) {
  public LoraRequest {
    if (name == null || name.isBlank()) {
      throw new BadRequestException("lora: expected FILE_OR_NAME[:WEIGHT], found an empty name");
    }
  }

  /**
   * Parses {@code FILE_OR_NAME[:WEIGHT]} (the weight after the last colon, 1 when absent).
   *
   * @throws BadRequestException when the weight is not a number
   */
  public static LoraRequest parse(String text) {
    String t = text == null ? "" : text.trim();
    int colon = t.lastIndexOf(':');
    if (colon > 0 && colon < t.length() - 1) {
      String w = t.substring(colon + 1);
      if (w.matches("[-+]?[0-9.eE+-]+")) {
        try {
          return new LoraRequest(t.substring(0, colon), Double.parseDouble(w));
        } catch (NumberFormatException e) {
          throw new BadRequestException(
              "lora: expected FILE_OR_NAME[:WEIGHT] with a number, found '" + text + "'");
        }
      }
    }
    return new LoraRequest(t, 1.0);
  }
}

package atelier.text.library;

import atelier.BadRequestException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * One item of a prompt-library category: the words that go into a prompt, with the weight the
 * library suggests for them.
 *
 * @param name a short id, unique in its category (kebab-case; derived from the text when absent)
 * @param text the prompt words
 * @param weight suggested emphasis, 0.1..2 (1 is plain; others are written {@code (text:w)})
 * @param tags free-form tags (e.g. {@code anime}, {@code landscape}) for browsing
 */
public record LibraryEntry(String name, String text, double weight, List<String> tags) {
  public LibraryEntry {
    if (text == null || text.isBlank()) {
      throw new BadRequestException("library entry: text: expected some words, found none");
    }
    text = text.strip();
    name = name == null || name.isBlank() ? slug(text) : name.strip().toLowerCase(Locale.ROOT);
    if (!(weight >= 0.1 && weight <= 2)) {
      throw new BadRequestException(
          "library entry '" + name + "': weight: expected 0.1 to 2, found " + weight);
    }
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  /** Lower-case words joined by hyphens: {@code "Makoto Shinkai"} → {@code makoto-shinkai}. */
  public static String slug(String text) {
    String s =
        java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKD)
            .replaceAll("\\p{M}", "")
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^\\p{L}\\p{N}]+", "-")
            .replaceAll("^-+|-+$", "");
    return s.isEmpty() ? "entry" : s;
  }

  /** The entry as prompt text: plain at weight 1, else A1111 emphasis {@code (text:1.2)}. */
  public String render() {
    if (weight == 1) {
      return text;
    }
    return "(" + text + ":" + BigDecimal.valueOf(weight).stripTrailingZeros().toPlainString() + ")";
  }
}

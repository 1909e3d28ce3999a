package atelier.text.library;

import atelier.BadRequestException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named prompt pattern with slots: {@code "{subject}, {style}, by {artist}, {modifiers}"}, where
 * each slot takes a value from the caller or the template's default (which may itself hold
 * wildcards such as {@code __style__}). Expanded by {@link PromptExpander}.
 *
 * @param name the template's name (lower case, letters, digits, hyphens)
 * @param description one line for people
 * @param text the positive prompt pattern
 * @param negative the negative prompt pattern ("" for none)
 * @param defaults slot values used when the caller gives none
 */
public record PromptTemplate(
    String name, String description, String text, String negative, Map<String, String> defaults) {
  public PromptTemplate {
    if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
      throw new BadRequestException(
          "template: name: expected lower-case letters, digits and hyphens, found '" + name + "'");
    }
    if (text == null || text.isBlank()) {
      throw new BadRequestException(
          "template '" + name + "': text: expected a pattern, found none");
    }
    description = description == null ? "" : description.strip();
    negative = negative == null ? "" : negative;
    defaults = defaults == null ? Map.of() : new LinkedHashMap<>(defaults);
    defaults = java.util.Collections.unmodifiableMap(defaults);
  }
}

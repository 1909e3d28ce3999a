package atelier.text;

import atelier.BadRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A1111's LoRA tags in a prompt, {@code <lora:NAME>} or {@code <lora:NAME:WEIGHT>}: found, and
 * removed from the text the tokenizer sees (the stored prompt keeps them, as A1111's does).
 * Stateless.
 */
public final class LoraTags {
  /** One tag: the LoRA's name and weight (1 when none is written). */
  public record Tag(String name, double weight) {}

  private static final Pattern TAG = Pattern.compile("<lora:([^:>]+)(?::([^:>]*))?(?::[^>]*)?>");

  private LoraTags() {}

  /**
   * The tags in {@code prompt}, in order.
   *
   * @throws BadRequestException for a weight that is not a number
   */
  public static List<Tag> find(String prompt) {
    List<Tag> tags = new ArrayList<>();
    Matcher m = TAG.matcher(prompt);
    while (m.find()) {
      String name = m.group(1).trim();
      String w = m.group(2);
      double weight = 1;
      if (w != null && !w.isBlank()) {
        try {
          weight = Double.parseDouble(w.trim());
        } catch (NumberFormatException e) {
          throw new BadRequestException(
              "prompt: "
                  + m.group()
                  + " expected <lora:NAME:WEIGHT> with a number, found '"
                  + w
                  + "'");
        }
      }
      tags.add(new Tag(name, weight));
    }
    return tags;
  }

  /** The prompt without its tags. */
  public static String strip(String prompt) {
    return TAG.matcher(prompt).replaceAll("");
  }

  /** The tag A1111 writes for a LoRA: {@code <lora:NAME:WEIGHT>}. */
  public static String format(String name, double weight) {
    String w = weight == Math.rint(weight) ? Long.toString((long) weight) : Double.toString(weight);
    return "<lora:" + name + ":" + w + ">";
  }
}

package atelier.text;

import atelier.BadRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a prompt into weighted sub-prompts: Disco Diffusion lists on {@code |}, A1111 composable
 * prompts on {@code AND}, or one prompt. Stateless.
 */
final class PromptComposer {
  /** A1111 {@code prompt_parser.re_AND}. */
  private static final Pattern AND = Pattern.compile("\\bAND\\b", Pattern.UNICODE_CHARACTER_CLASS);

  /**
   * A1111 {@code prompt_parser.re_weight}: text, then an optional {@code :number} at the very end
   * (no exponent). The text group is lazy, so it loses the whitespace before the colon.
   */
  private static final Pattern WEIGHT =
      Pattern.compile(
          "^(.*?)(?:[\\s\\x1c-\\x1f]*:[\\s\\x1c-\\x1f]*([-+]?(?:\\d+\\.?|\\d*\\.\\d+)))?"
              + "[\\s\\x1c-\\x1f]*$",
          Pattern.DOTALL | Pattern.UNICODE_CHARACTER_CLASS);

  /** Disco Diffusion refuses weight lists whose sum is this close to zero. */
  private static final double DISCO_MIN_SUM = 1e-3;

  record Part(String text, double weight) {}

  record Split(Composition composition, List<Part> parts) {}

  private PromptComposer() {}

  static Split split(String prompt) {
    List<String> pipes = splitOnTopLevelPipes(prompt);
    boolean and = AND.matcher(prompt).find();
    if (pipes.size() > 1) {
      if (and) {
        throw new BadRequestException(
            "prompt \""
                + prompt
                + "\" mixes a Disco list ('|') with A1111 AND; expected one of the two (write \\| for"
                + " a literal bar)");
      }
      List<Part> parts = new ArrayList<>();
      double sum = 0;
      for (String p : pipes) {
        Part part = weighted(p, prompt);
        parts.add(part);
        sum += part.weight();
      }
      if (Math.abs(sum) < DISCO_MIN_SUM) {
        throw new BadRequestException(
            "the weights of prompt \""
                + prompt
                + "\" sum to "
                + sum
                + "; a weighted list needs a sum away from 0 (Disco Diffusion divides by it)");
      }
      double norm = Math.abs(sum);
      parts.replaceAll(p -> new Part(p.text(), p.weight() / norm));
      return new Split(Composition.DISCO, List.copyOf(parts));
    }
    if (and) {
      List<Part> parts = new ArrayList<>();
      for (String p : AND.split(prompt, -1)) {
        parts.add(weighted(p, prompt));
      }
      return new Split(Composition.AND, List.copyOf(parts));
    }
    return new Split(Composition.SINGLE, List.of(weighted(prompt, prompt)));
  }

  /** A sub-prompt's text and trailing weight (1 when it has none). */
  static Part weighted(String sub, String prompt) {
    Matcher m = WEIGHT.matcher(sub);
    if (!m.matches()) {
      throw new IllegalStateException(
          "the weight pattern matches every string; it failed on " + sub);
    }
    String w = m.group(2);
    return new Part(m.group(1), w == null ? 1.0 : PromptAttention.number(w, sub, prompt));
  }

  /**
   * Splits on {@code |} outside (), [] and {} (so A1111's {@code [a|b]} alternation and the Dynamic
   * Prompts extension's {@code {a|b}} stay text); a backslash escapes the next character.
   */
  static List<String> splitOnTopLevelPipes(String prompt) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < prompt.length(); i++) {
      char c = prompt.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
        depth--;
      } else if (c == '|' && depth == 0) {
        parts.add(prompt.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(prompt.substring(start));
    return parts;
  }
}

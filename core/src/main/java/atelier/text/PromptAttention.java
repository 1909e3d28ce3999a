package atelier.text;

import atelier.BadRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A1111's emphasis syntax: splits prompt text into runs that share one attention weight, exactly as
 * {@code modules/prompt_parser.py parse_prompt_attention} of AUTOMATIC1111/stable-diffusion-webui
 * (v1.6 to v1.10) does.
 *
 * <p>{@code (x)} multiplies by 1.1, {@code [x]} divides by 1.1, {@code (x:1.3)} multiplies by 1.3;
 * they nest and multiply. {@code \( \) \[ \] \\} are literal characters (a lone backslash is
 * dropped). A bracket that is never closed applies to the rest of the prompt; a closing bracket
 * with nothing open is text. {@code BREAK} (a whole word, upper case) becomes a {@link
 * Segment#isBreak() break} that starts a new 75-token chunk. Neighbouring runs with equal weights
 * are merged.
 *
 * <p>Stateless and thread-safe.
 */
public final class PromptAttention {
  private static final Pattern TOKENS =
      Pattern.compile(
          "\\\\\\(|\\\\\\)|\\\\\\[|\\\\]|\\\\\\\\|\\\\|\\(|\\[|:[\\s\\x1c-\\x1f]*([+-]?[.\\d]+)"
              + "[\\s\\x1c-\\x1f]*\\)|\\)|]|[^\\\\()\\[\\]:]+|:",
          Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern BREAK =
      Pattern.compile(
          "[\\s\\x1c-\\x1f]*\\bBREAK\\b[\\s\\x1c-\\x1f]*", Pattern.UNICODE_CHARACTER_CLASS);
  private static final double ROUND = 1.1;
  private static final double SQUARE = 1 / 1.1;
  private static final String BREAK_TEXT = "BREAK";

  /**
   * A run of text and its weight, or a break.
   *
   * @param text the literal text (escapes resolved); {@code "BREAK"} for a break
   * @param weight the product of the enclosing brackets' multipliers; -1 for a break, as in A1111
   */
  public record Segment(String text, double weight) {
    public Segment {
      Objects.requireNonNull(text, "text");
      if (!Double.isFinite(weight)) {
        throw new IllegalArgumentException("weight must be finite, found " + weight);
      }
    }

    /** Whether this segment is a {@code BREAK}: end the current chunk here. */
    public boolean isBreak() {
      return weight == -1 && text.equals(BREAK_TEXT);
    }
  }

  private PromptAttention() {}

  /**
   * The weighted runs of {@code text}; never empty (an empty prompt gives one empty run of weight
   * 1).
   *
   * @throws BadRequestException if an explicit weight such as {@code (x:1.2.3)} is not a number
   *     (A1111 fails on these too)
   */
  public static List<Segment> parse(String text) {
    List<String> texts = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    List<Integer> round = new ArrayList<>();
    List<Integer> square = new ArrayList<>();
    Matcher m = TOKENS.matcher(text);
    while (m.find()) {
      String tok = m.group();
      String weight = m.group(1);
      if (tok.startsWith("\\")) {
        texts.add(tok.substring(1));
        weights.add(1.0);
      } else if (tok.equals("(")) {
        round.add(texts.size());
      } else if (tok.equals("[")) {
        square.add(texts.size());
      } else if (weight != null && !round.isEmpty()) {
        multiply(weights, round.remove(round.size() - 1), number(weight, tok, text));
      } else if (tok.equals(")") && !round.isEmpty()) {
        multiply(weights, round.remove(round.size() - 1), ROUND);
      } else if (tok.equals("]") && !square.isEmpty()) {
        multiply(weights, square.remove(square.size() - 1), SQUARE);
      } else {
        String[] parts = BREAK.split(tok, -1);
        for (int i = 0; i < parts.length; i++) {
          if (i > 0) {
            texts.add(BREAK_TEXT);
            weights.add(-1.0);
          }
          texts.add(parts[i]);
          weights.add(1.0);
        }
      }
    }
    // Unclosed brackets apply to everything after them, in the order they were opened.
    for (int pos : round) {
      multiply(weights, pos, ROUND);
    }
    for (int pos : square) {
      multiply(weights, pos, SQUARE);
    }
    if (texts.isEmpty()) {
      texts.add("");
      weights.add(1.0);
    }
    for (double w : weights) {
      if (!Double.isFinite(w)) {
        throw new BadRequestException(
            "prompt emphasis nests too deeply: a weight overflows to "
                + w
                + " in \""
                + text
                + "\"");
      }
    }
    List<Segment> out = new ArrayList<>();
    StringBuilder run = new StringBuilder(texts.get(0));
    double runWeight = weights.get(0);
    for (int i = 1; i < texts.size(); i++) {
      if (weights.get(i) == runWeight) {
        run.append(texts.get(i));
      } else {
        out.add(new Segment(run.toString(), runWeight));
        run.setLength(0);
        run.append(texts.get(i));
        runWeight = weights.get(i);
      }
    }
    out.add(new Segment(run.toString(), runWeight));
    return List.copyOf(out);
  }

  private static void multiply(List<Double> weights, int from, double by) {
    for (int i = from; i < weights.size(); i++) {
      weights.set(i, weights.get(i) * by);
    }
  }

  /**
   * Parses a weight the way Python's {@code float()} does for the characters the pattern allows:
   * any Unicode decimal digits and dots, with an optional sign.
   */
  static double number(String digits, String where, String prompt) {
    StringBuilder ascii = new StringBuilder(digits.length());
    digits
        .codePoints()
        .forEach(
            cp ->
                ascii.append(
                    Character.isDigit(cp) ? (char) ('0' + Character.digit(cp, 10)) : (char) cp));
    double value;
    try {
      value = Double.parseDouble(ascii.toString());
    } catch (NumberFormatException e) {
      value = Double.NaN;
    }
    if (!Double.isFinite(value)) {
      throw new BadRequestException(
          "prompt weight \""
              + digits
              + "\" in \""
              + where
              + "\" is not a number; expected e.g. (word:1.2) in prompt \""
              + prompt
              + "\"");
    }
    return value;
  }
}

package atelier.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a compiled prompt looks like to the text encoder, for {@code atelier prompt inspect}: per
 * sub-prompt and chunk, each position up to the first EOS with its id, vocabulary string and
 * weight, plus the padding count and any truncated text. Plain records, serialisable with Jackson.
 *
 * @param source the prompt as given
 * @param composition how the parts combine
 * @param parts one entry per sub-prompt
 * @param truncated text dropped by the chunk limit, one entry per part that lost some
 */
public record PromptInspection(
    String source, Composition composition, List<Part> parts, List<String> truncated) {
  public PromptInspection {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(composition, "composition");
    parts = List.copyOf(parts);
    truncated = List.copyOf(truncated);
  }

  /**
   * One sub-prompt.
   *
   * @param text its text
   * @param weight its weight (normalised for Disco lists)
   * @param chunks its chunks in order
   * @param truncated the text that did not fit, or empty
   */
  public record Part(String text, double weight, List<Chunk> chunks, String truncated) {
    public Part {
      chunks = List.copyOf(chunks);
    }
  }

  /**
   * One chunk: the positions from BOS to the first EOS, then how many padding positions follow.
   *
   * @param tokenCount prompt tokens (BOS and EOS excluded)
   * @param tokens the positions from BOS to the first EOS, inclusive
   * @param padding the number of positions after the first EOS
   */
  public record Chunk(int tokenCount, List<Token> tokens, int padding) {
    public Chunk {
      tokens = List.copyOf(tokens);
    }
  }

  /**
   * One position.
   *
   * @param id the token id
   * @param token its vocabulary string, e.g. {@code "cat</w>"}
   * @param weight its emphasis weight
   */
  public record Token(int id, String token, float weight) {}

  /** The inspection of a compiled prompt. */
  public static PromptInspection of(CompiledPrompt prompt) {
    List<Part> parts = new ArrayList<>();
    for (SubPrompt p : prompt.parts()) {
      List<Chunk> chunks = new ArrayList<>();
      for (PromptChunk c : p.chunks()) {
        int[] ids = c.ids();
        float[] weights = c.weights();
        int shown = Math.min(ids.length, c.tokenCount() + 2);
        List<Token> tokens = new ArrayList<>(shown);
        for (int i = 0; i < shown; i++) {
          tokens.add(new Token(ids[i], c.tokens().get(i), weights[i]));
        }
        chunks.add(new Chunk(c.tokenCount(), tokens, ids.length - shown));
      }
      parts.add(new Part(p.text(), p.weight(), chunks, p.truncated()));
    }
    return new PromptInspection(prompt.source(), prompt.composition(), parts, prompt.truncated());
  }

  /** A plain-text rendering: one line per part and chunk header, one line per token. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("prompt: ").append(source).append('\n');
    sb.append("composition: ")
        .append(composition.name().toLowerCase(Locale.ROOT))
        .append(", ")
        .append(parts.size())
        .append(parts.size() == 1 ? " part\n" : " parts\n");
    for (int p = 0; p < parts.size(); p++) {
      Part part = parts.get(p);
      sb.append(
          String.format(
              Locale.ROOT, "part %d: weight %s \"%s\"%n", p + 1, fmt(part.weight()), part.text()));
      for (int c = 0; c < part.chunks().size(); c++) {
        Chunk chunk = part.chunks().get(c);
        sb.append(
            String.format(
                Locale.ROOT,
                "  chunk %d: %d tokens + BOS/EOS, %d padding%n",
                c + 1,
                chunk.tokenCount(),
                chunk.padding()));
        for (int i = 0; i < chunk.tokens().size(); i++) {
          Token t = chunk.tokens().get(i);
          sb.append(
              String.format(
                  Locale.ROOT, "    %3d %6d  %-24s %s%n", i, t.id(), t.token(), fmt(t.weight())));
        }
      }
      if (!part.truncated().isEmpty()) {
        sb.append("  truncated: ").append(part.truncated()).append('\n');
      }
    }
    return sb.toString();
  }

  private static String fmt(double v) {
    String s = String.format(Locale.ROOT, "%.4f", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", ".0") : s;
  }
}

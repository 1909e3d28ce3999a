package atelier.text;

import java.util.List;
import java.util.Objects;

/**
 * One weighted part of a prompt, tokenized into chunks.
 *
 * @param text the part's text as written (weight suffix removed, ends stripped)
 * @param weight its weight: normalised for {@link Composition#DISCO}, as written otherwise
 * @param chunks at least one chunk, at most the compiler's limit
 * @param truncated the text of the tokens that did not fit the chunk limit (decoded, lower-case);
 *     empty when nothing was dropped
 */
public record SubPrompt(String text, double weight, List<PromptChunk> chunks, String truncated) {
  public SubPrompt {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(truncated, "truncated");
    chunks = List.copyOf(chunks);
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("a sub-prompt has at least one chunk, found none");
    }
    if (!Double.isFinite(weight)) {
      throw new IllegalArgumentException("weight must be finite, found " + weight);
    }
  }
}

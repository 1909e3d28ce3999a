package atelier.text;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One text-encoder input: BOS, up to 75 prompt tokens, EOS, padding; with a weight per position.
 *
 * <p>Immutable: arrays are copied in and out. The weights are A1111's multipliers (1.0 for BOS, EOS
 * and padding) for {@link Emphasis} to apply to this chunk's encoder output.
 *
 * @param ids token ids, {@link ClipTokenizer#maxLength()} of them
 * @param weights one weight per id
 * @param tokens the vocabulary string of each id, for inspection
 * @param tokenCount how many prompt tokens the chunk holds (BOS is at 0, the first EOS normally at
 *     {@code tokenCount + 1})
 */
public record PromptChunk(int[] ids, float[] weights, List<String> tokens, int tokenCount) {
  public PromptChunk {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(weights, "weights");
    tokens = List.copyOf(tokens);
    if (ids.length < 2 || weights.length != ids.length || tokens.size() != ids.length) {
      throw new IllegalArgumentException(
          "a chunk needs at least 2 ids and one weight and token each; found "
              + ids.length
              + " ids, "
              + weights.length
              + " weights, "
              + tokens.size()
              + " tokens");
    }
    if (tokenCount < 0 || tokenCount > ids.length - 2) {
      throw new IllegalArgumentException(
          "tokenCount must be 0.." + (ids.length - 2) + ", found " + tokenCount);
    }
    for (float w : weights) {
      if (!Float.isFinite(w)) {
        throw new IllegalArgumentException("weights must be finite, found " + w);
      }
    }
    ids = ids.clone();
    weights = weights.clone();
  }

  /** A copy of the ids. */
  @Override
  public int[] ids() {
    return ids.clone();
  }

  /** A copy of the weights. */
  @Override
  public float[] weights() {
    return weights.clone();
  }

  /** The number of positions ({@code ids().length}). */
  public int length() {
    return ids.length;
  }

  /** The prompt-token ids only, without BOS, EOS and padding. */
  public int[] promptIds() {
    return Arrays.copyOfRange(ids, 1, 1 + tokenCount);
  }

  /** Whether any position has a weight other than 1 (else emphasis can be skipped). */
  public boolean hasEmphasis() {
    for (float w : weights) {
      if (w != 1f) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PromptChunk c
        && Arrays.equals(ids, c.ids)
        && Arrays.equals(weights, c.weights)
        && tokens.equals(c.tokens)
        && tokenCount == c.tokenCount;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(ids), Arrays.hashCode(weights), tokenCount);
  }

  @Override
  public String toString() {
    return "PromptChunk" + tokens.subList(0, Math.min(tokens.size(), tokenCount + 2));
  }
}

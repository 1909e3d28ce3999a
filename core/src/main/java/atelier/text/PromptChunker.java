package atelier.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns weighted text runs into fixed-length chunks the way A1111's {@code
 * sd_hijack_clip.FrozenCLIPEmbedderWithCustomWordsBase.tokenize_line} does: 75 tokens a chunk; when
 * a chunk is full and a comma lies among its last 20 tokens, the tokens after the comma move to the
 * next chunk; {@code BREAK} ends a chunk (even an empty one); a prompt gives at least one chunk.
 * Each chunk is {@code BOS, tokens, EOS, pad...} with weight 1 outside the tokens.
 *
 * <p>With a chunk limit, the last allowed chunk is filled without the comma backtrack (nothing
 * follows it to move tokens into), so a limit of one gives exactly {@link
 * ClipTokenizer#encodePadded} for plain text without {@code BREAK}; the tokens of chunks past the
 * limit are reported as truncated.
 */
final class PromptChunker {
  /** A1111's default {@code comma_padding_backtrack}. */
  static final int COMMA_BACKTRACK = 20;

  record Result(List<PromptChunk> chunks, String truncated) {}

  private final ClipTokenizer tokenizer;
  private final int chunkLength;
  private final int comma;

  PromptChunker(ClipTokenizer tokenizer) {
    this.tokenizer = tokenizer;
    this.chunkLength = tokenizer.maxLength() - 2;
    this.comma = tokenizer.id(",</w>").orElse(-1);
  }

  Result chunk(List<PromptAttention.Segment> segments, int maxChunks) {
    Builder b = new Builder(maxChunks);
    for (PromptAttention.Segment s : segments) {
      if (s.isBreak()) {
        b.flush();
        continue;
      }
      float weight = (float) s.weight();
      for (int token : tokenizer.encode(s.text())) {
        if (token == comma) {
          b.lastComma = b.ids.size();
        } else if (b.ids.size() == chunkLength
            && b.lastComma != -1
            && b.ids.size() - b.lastComma <= COMMA_BACKTRACK
            && b.flushed < maxChunks - 1) {
          int at = b.lastComma + 1;
          List<Integer> movedIds = new ArrayList<>(b.ids.subList(at, b.ids.size()));
          List<Float> movedWeights = new ArrayList<>(b.weights.subList(at, b.weights.size()));
          b.ids.subList(at, b.ids.size()).clear();
          b.weights.subList(at, b.weights.size()).clear();
          b.flush();
          b.ids.addAll(movedIds);
          b.weights.addAll(movedWeights);
        }
        if (b.ids.size() == chunkLength) {
          b.flush();
        }
        b.ids.add(token);
        b.weights.add(weight);
      }
    }
    if (!b.ids.isEmpty() || b.flushed == 0) {
      b.flush();
    }
    int[] dropped = b.dropped.stream().mapToInt(Integer::intValue).toArray();
    return new Result(List.copyOf(b.kept), tokenizer.decode(dropped));
  }

  /** The mutable state of one {@link #chunk} call. */
  private final class Builder {
    final int maxChunks;
    final List<PromptChunk> kept = new ArrayList<>();
    final List<Integer> dropped = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    List<Float> weights = new ArrayList<>();
    int lastComma = -1;
    int flushed;

    Builder(int maxChunks) {
      this.maxChunks = maxChunks;
    }

    void flush() {
      int length = chunkLength + 2;
      int n = ids.size();
      int[] out = new int[length];
      float[] w = new float[length];
      Arrays.fill(out, tokenizer.eosId());
      Arrays.fill(w, 1f);
      out[0] = tokenizer.bosId();
      for (int i = 0; i < n; i++) {
        out[i + 1] = ids.get(i);
        w[i + 1] = weights.get(i);
      }
      // A1111 pads with EOS, then, when the pad id differs (SD2), replaces everything after the
      // first EOS with it; an EOS typed in the prompt therefore hides the tokens after it.
      if (tokenizer.padId() != tokenizer.eosId()) {
        int firstEos = 1;
        while (out[firstEos] != tokenizer.eosId()) {
          firstEos++;
        }
        Arrays.fill(out, firstEos + 1, length, tokenizer.padId());
      }
      if (flushed < maxChunks) {
        List<String> tokens = Arrays.stream(out).mapToObj(tokenizer::token).toList();
        kept.add(new PromptChunk(out, w, tokens, n));
      } else {
        dropped.addAll(ids);
      }
      flushed++;
      ids = new ArrayList<>();
      weights = new ArrayList<>();
      lastComma = -1;
    }
  }
}

package atelier.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Compiles prompt text into text-encoder inputs: composition ({@code |} lists, {@code AND}), A1111
 * emphasis and {@code BREAK}, and 75-token chunks with a weight per token.
 *
 * <p>Thread-safe (it holds only the immutable tokenizer); compile as many prompts concurrently as
 * needed. The syntax, in order of application:
 *
 * <ol>
 *   <li>{@code a:2 | b:1 | c:-1} (a {@code |} outside brackets): a Disco Diffusion list; each part
 *       may end in {@code :number} (default 1); weights are divided by |sum| and a sum within 0.001
 *       of zero is refused.
 *   <li>{@code a :1.2 AND b}: A1111 composable diffusion; weights as written (default 1).
 *   <li>otherwise one prompt; a trailing {@code :number} is its weight, as in A1111.
 *   <li>in each part: {@code (x)}, {@code [x]}, {@code (x:1.3)}, escapes and {@code BREAK} as in
 *       {@link PromptAttention}; then chunks as described in {@link #compile}.
 * </ol>
 */
public final class PromptCompiler {
  private final ClipTokenizer tokenizer;
  private final PromptChunker chunker;

  /** A compiler for the given model's tokenizer (chunk length = its max length - 2). */
  public PromptCompiler(ClipTokenizer tokenizer) {
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.chunker = new PromptChunker(tokenizer);
  }

  /** The tokenizer this compiler uses. */
  public ClipTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * Compiles a (positive) prompt with composition, emphasis and chunking.
   *
   * <p>Chunks follow A1111: 75 tokens each, moving the tail after a comma among a full chunk's last
   * 20 tokens to the next chunk; {@code BREAK} starts a new chunk. At most {@code maxChunks} chunks
   * are kept per part (1 for a text encoder or UNet with a static 77-token axis); the text of the
   * tokens beyond is reported in {@link SubPrompt#truncated()} and {@link
   * CompiledPrompt#truncated()}, never silently dropped.
   *
   * @param maxChunks the most chunks per part, at least 1 ({@code Integer.MAX_VALUE}: no limit)
   * @throws atelier.BadRequestException for a Disco list whose weights sum to 0, a prompt mixing
   *     {@code |} lists with {@code AND}, or an explicit weight that is not a number
   */
  public CompiledPrompt compile(String prompt, int maxChunks) {
    Objects.requireNonNull(prompt, "prompt");
    requirePositive(maxChunks);
    // A1111's <lora:name:w> tags choose LoRAs at load; they are not text to encode.
    PromptComposer.Split split = PromptComposer.split(LoraTags.strip(prompt));
    List<SubPrompt> parts = new ArrayList<>();
    for (PromptComposer.Part p : split.parts()) {
      parts.add(part(p.text(), p.weight(), maxChunks));
    }
    return new CompiledPrompt(prompt, split.composition(), parts);
  }

  /**
   * Compiles a negative prompt the way A1111 does: emphasis, {@code BREAK} and chunks, but no
   * composition; {@code |}, {@code AND} and a trailing {@code :number} are plain text, and the
   * single part has weight 1.
   *
   * @param maxChunks the most chunks, at least 1
   */
  public CompiledPrompt compileNegative(String prompt, int maxChunks) {
    Objects.requireNonNull(prompt, "prompt");
    requirePositive(maxChunks);
    return new CompiledPrompt(prompt, Composition.SINGLE, List.of(part(prompt, 1.0, maxChunks)));
  }

  /**
   * A1111's empty chunk ({@code BOS, EOS, pad...}, weights 1): what it appends to the shorter of
   * the positive and negative prompts so that both have the same number of chunks.
   */
  public PromptChunk emptyChunk() {
    int length = tokenizer.maxLength();
    int[] ids = new int[length];
    Arrays.fill(ids, tokenizer.padId());
    ids[0] = tokenizer.bosId();
    ids[1] = tokenizer.eosId();
    float[] weights = new float[length];
    Arrays.fill(weights, 1f);
    List<String> tokens = Arrays.stream(ids).mapToObj(tokenizer::token).toList();
    return new PromptChunk(ids, weights, tokens, 0);
  }

  private SubPrompt part(String text, double weight, int maxChunks) {
    PromptChunker.Result r = chunker.chunk(PromptAttention.parse(text), maxChunks);
    return new SubPrompt(text.strip(), weight, r.chunks(), r.truncated());
  }

  private static void requirePositive(int maxChunks) {
    if (maxChunks < 1) {
      throw new IllegalArgumentException("maxChunks must be at least 1, found " + maxChunks);
    }
  }
}

package atelier.text;

import atelier.BadRequestException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How prompt weights act on the text encoder's output, after A1111's {@code
 * modules/sd_emphasis.py}.
 *
 * <p>The output of one chunk is {@code [tokens, dim]} floats, row-major, with one weight per token
 * (from {@link PromptChunk#weights()}). Operations work in place; they hold no state and are
 * thread-safe on distinct arrays.
 */
public enum Emphasis {
  /**
   * A1111's default ("Original"): multiply each token's vector by its weight, then scale the whole
   * chunk so its mean equals the mean before weighting.
   */
  ORIGINAL("original"),
  /** A1111's "No norm": multiply by the weights, no rescaling (A1111 suggests it for SDXL). */
  NO_NORM("no-norm"),
  /** A1111's "Ignore": brackets are parsed away but the weights are not applied. */
  IGNORE("ignore");

  private final String id;

  Emphasis(String id) {
    this.id = id;
  }

  /** The lower-case name used in settings and on the command line, e.g. {@code "no-norm"}. */
  public String id() {
    return id;
  }

  /**
   * The mode with this name; case, spaces, {@code _} and {@code -} are ignored ({@code "No norm"},
   * {@code "NO_NORM"} and {@code "no-norm"} are the same).
   *
   * @throws atelier.BadRequestException naming the valid names when there is none
   */
  public static Emphasis lookup(String name) {
    String key = name.toLowerCase(Locale.ROOT).replaceAll("[\\s_-]", "");
    for (Emphasis e : values()) {
      if (e.id.replace("-", "").equals(key)) {
        return e;
      }
    }
    throw new BadRequestException(
        "unknown emphasis mode \""
            + name
            + "\"; expected one of "
            + Arrays.stream(values()).map(Emphasis::id).collect(Collectors.joining(", ")));
  }

  /**
   * Applies this mode to one chunk's encoder output, in place.
   *
   * @param hidden the output buffer, holding the chunk at {@code offset}
   * @param offset where the chunk starts in {@code hidden} (e.g. {@code chunk * tokens * dim})
   * @param tokens the chunk's positions (77)
   * @param dim the hidden size (768 for SD1, 1024 for SD2)
   * @param weights one weight per position
   */
  public void applyTo(float[] hidden, int offset, int tokens, int dim, float[] weights) {
    switch (this) {
      case ORIGINAL -> applyRestoringMean(hidden, offset, tokens, dim, weights);
      case NO_NORM -> multiply(hidden, offset, tokens, dim, weights);
      case IGNORE -> check(hidden, offset, tokens, dim, weights);
    }
  }

  /**
   * A1111's original emphasis on one chunk at the start of {@code hidden}: multiply each token's
   * vector by its weight, then multiply everything by {@code mean before / mean after} (the mean
   * over the whole chunk, as A1111 takes it over the whole tensor). Unweighted chunks are left
   * untouched. If the weighted mean is exactly 0 the rescale is skipped (A1111 would divide by
   * zero).
   */
  public static void apply(float[] hidden, int tokens, int dim, float[] weights) {
    applyRestoringMean(hidden, 0, tokens, dim, weights);
  }

  private static void applyRestoringMean(
      float[] hidden, int offset, int tokens, int dim, float[] weights) {
    check(hidden, offset, tokens, dim, weights);
    if (allOnes(weights)) {
      return; // z * 1 and mean/mean: A1111 leaves the values as they are
    }
    double before = mean(hidden, offset, tokens * dim);
    multiply(hidden, offset, tokens, dim, weights);
    double after = mean(hidden, offset, tokens * dim);
    if (after == 0) {
      return;
    }
    // torch takes the ratio of two float32 means and multiplies in float32
    float ratio = (float) before / (float) after;
    for (int i = offset; i < offset + tokens * dim; i++) {
      hidden[i] *= ratio;
    }
  }

  private static void multiply(float[] hidden, int offset, int tokens, int dim, float[] weights) {
    check(hidden, offset, tokens, dim, weights);
    for (int t = 0; t < tokens; t++) {
      float w = weights[t];
      int row = offset + t * dim;
      for (int d = 0; d < dim; d++) {
        hidden[row + d] *= w;
      }
    }
  }

  private static double mean(float[] hidden, int offset, int n) {
    double sum = 0;
    for (int i = offset; i < offset + n; i++) {
      sum += hidden[i];
    }
    return sum / n;
  }

  private static boolean allOnes(float[] weights) {
    for (float w : weights) {
      if (w != 1f) {
        return false;
      }
    }
    return true;
  }

  private static void check(float[] hidden, int offset, int tokens, int dim, float[] weights) {
    if (tokens < 1 || dim < 1 || offset < 0) {
      throw new IllegalArgumentException(
          "expected tokens >= 1, dim >= 1, offset >= 0; found tokens "
              + tokens
              + ", dim "
              + dim
              + ", offset "
              + offset);
    }
    if (weights.length != tokens) {
      throw new IllegalArgumentException(
          "expected one weight per token (" + tokens + "), found " + weights.length);
    }
    if ((long) offset + (long) tokens * dim > hidden.length) {
      throw new IllegalArgumentException(
          "a chunk of "
              + tokens
              + " x "
              + dim
              + " at offset "
              + offset
              + " does not fit in "
              + hidden.length
              + " floats");
    }
  }
}

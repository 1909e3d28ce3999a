package atelier.text;

import java.util.List;
import java.util.Objects;

/**
 * A prompt turned into text-encoder inputs: its sub-prompts, each with chunks of ids and weights.
 * Immutable; serialises to JSON with Jackson as a plain record.
 *
 * @param source the prompt as given
 * @param composition how the parts combine
 * @param parts one or more sub-prompts, in prompt order
 */
public record CompiledPrompt(String source, Composition composition, List<SubPrompt> parts) {
  public CompiledPrompt {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(composition, "composition");
    parts = List.copyOf(parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("a compiled prompt has at least one part, found none");
    }
    if (composition == Composition.SINGLE && parts.size() != 1) {
      throw new IllegalArgumentException(
          "a SINGLE prompt has exactly one part, found " + parts.size());
    }
  }

  /**
   * The text dropped by the chunk limit, one entry per sub-prompt that lost some; usually empty.
   */
  public List<String> truncated() {
    return parts.stream().map(SubPrompt::truncated).filter(t -> !t.isEmpty()).toList();
  }

  /** The largest number of chunks of any part (pad the others to it with empty chunks). */
  public int maxChunks() {
    return parts.stream().mapToInt(p -> p.chunks().size()).max().orElseThrow();
  }
}

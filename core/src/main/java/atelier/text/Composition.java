package atelier.text;

import atelier.BadRequestException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a prompt combines its sub-prompts. */
public enum Composition {
  /**
   * One prompt. Its weight is 1 unless it ends in {@code :number}, which A1111 takes as the weight
   * of its only sub-prompt (a guidance multiplier).
   */
  SINGLE,
  /**
   * Disco Diffusion's weighted list {@code "a castle:2 | fog:1 | people:-1"}: weights default to 1
   * and are divided by the absolute value of their sum.
   */
  DISCO,
  /** A1111's composable diffusion {@code "a castle :1.2 AND fog"}: weights as written. */
  AND;

  /**
   * The composition with this name, ignoring case.
   *
   * @throws BadRequestException naming the valid names when there is none
   */
  public static Composition lookup(String name) {
    for (Composition c : values()) {
      if (c.name().equalsIgnoreCase(name.strip())) {
        return c;
      }
    }
    throw new BadRequestException(
        "unknown prompt composition \""
            + name
            + "\"; expected one of "
            + Arrays.stream(values())
                .map(c -> c.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", ")));
  }
}

package atelier.diffusion;

import atelier.BadRequestException;
import java.math.BigInteger;

/**
 * A random generator that reproduces PyTorch's CPU generator: {@code torch.manual_seed(seed);
 * torch.randn(n)} gives the same numbers (to about 2e-6, see FORMATS.md), and successive calls
 * continue the stream as successive {@code torch.randn} calls on one generator do.
 *
 * <p>Stateful, not thread-safe: one per image per run.
 */
public interface TorchGenerator {

  /**
   * A generator in the state of {@code torch.Generator().manual_seed(seed)} (or {@code
   * torch.manual_seed(seed)}) on the CPU.
   *
   * @param seed the seed as a 64-bit pattern: torch reads negative seeds as their unsigned 64-bit
   *     value ({@code -1} is {@code 2^64-1}), and its mt19937 uses only the low 32 bits, so seeds
   *     that differ by a multiple of {@code 2^32} give the same numbers
   */
  static TorchGenerator cpu(long seed) {
    return new Mt19937Generator(seed);
  }

  /**
   * Parses a seed as {@code torch.manual_seed} accepts it: a decimal integer from {@code -2^63} to
   * {@code 2^64-1}. Values of {@code 2^63} and above come back as negative longs with the same 64
   * bits (use {@link Long#toUnsignedString(long)} to print them as torch does).
   *
   * @throws BadRequestException if the text is not such an integer
   */
  static long parseSeed(String text) {
    BigInteger value;
    try {
      value = new BigInteger(text.strip());
    } catch (NumberFormatException e) {
      throw new BadRequestException(
          "seed: expected an integer from -2^63 to 2^64-1, found \"" + text + "\"", e);
    }
    if (value.compareTo(BigInteger.valueOf(Long.MIN_VALUE)) < 0
        || value.bitLength() > 64 && value.signum() > 0) {
      throw new BadRequestException(
          "seed: expected an integer from -2^63 to 2^64-1 (the range torch.manual_seed accepts),"
              + " found "
              + text);
    }
    return value.longValue();
  }

  /** The seed this generator started from, as given (print it with Long.toUnsignedString). */
  long seed();

  /**
   * The next {@code n} standard-normal floats, as {@code torch.randn(n)} on CPU would draw them.
   *
   * @param n how many values; 0 gives an empty array and leaves the state unchanged
   */
  float[] randn(int n);
}

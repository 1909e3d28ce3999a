package atelier.image.basemap;

import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * One step of a basemap chain: a pure function from an image to a new image, with validated
 * parameters. Implementations are immutable records and thread-safe; {@link #apply} never changes
 * its input.
 *
 * <p>Colour arithmetic is on 8-bit sRGB values, rounded half up and clamped to 0..255 after each
 * op, so a chain gives the same bytes on every machine.
 */
public interface BasemapOp {
  /** The op's kind (its name in the registry). */
  OpKind kind();

  /**
   * Applies the op.
   *
   * @param image the input; null only for source ops ({@link OpKind#isSource()}), which ignore it
   * @return a new image (ARGB)
   */
  BufferedImage apply(BufferedImage image);

  /**
   * The size {@link #apply} will make from a {@code width × height} input, computed without
   * allocating (in {@code long}, so absurd parameters cannot overflow): what {@link BasemapChain}
   * checks against its size limit before each step. Most ops keep the size.
   */
  default long[] outputSize(int width, int height) {
    return new long[] {width, height};
  }

  /** Every parameter with its resolved value, in canonical order: what the record stores. */
  Map<String, Object> params();

  /** The canonical text of this op, which {@link OpKind#parse} reads back to an equal op. */
  default String spec() {
    return OpSyntax.format(kind().opName(), params());
  }
}

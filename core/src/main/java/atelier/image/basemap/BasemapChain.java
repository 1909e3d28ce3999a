package atelier.image.basemap;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of basemap ops applied one after another: the preprocessing of an image-to-image
 * basemap, as {@code atelier basemap --op …} and recipes' {@code basemap:} list write it. Its
 * {@link #specs()} are what every output records. Immutable and thread-safe.
 *
 * @param ops the steps, in order (may be empty)
 */
public record BasemapChain(List<BasemapOp> ops) {
  /** The largest side of a basemap input or of any step's result, in pixels (as -W/-H). */
  public static final int MAX_SIDE = 8192;

  /** The chain that changes nothing. */
  public static final BasemapChain EMPTY = new BasemapChain(List.of());

  public BasemapChain {
    ops = List.copyOf(ops);
    for (int i = 1; i < ops.size(); i++) {
      if (ops.get(i).kind().isSource()) {
        throw new BadRequestException(
            "basemap step "
                + (i + 1)
                + ": expected "
                + ops.get(i).kind().opName()
                + " only as the first step (it makes a new image), found it after "
                + ops.get(i - 1).kind().opName());
      }
    }
  }

  /**
   * Parses ops written in the text form ({@link OpSyntax}).
   *
   * @throws BadRequestException naming the step (1-based) and what was wrong with it
   */
  public static BasemapChain parse(List<String> specs) {
    List<BasemapOp> ops = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      try {
        ops.add(OpKind.parse(specs.get(i)));
      } catch (BadRequestException e) {
        throw new BadRequestException(
            "basemap step " + (i + 1) + " '" + specs.get(i) + "': " + e.getMessage(), e);
      }
    }
    return new BasemapChain(ops);
  }

  /** Whether the chain makes its own image (starts with a source op such as {@code canvas}). */
  public boolean startsWithSource() {
    return !ops.isEmpty() && ops.get(0).kind().isSource();
  }

  /** Whether the chain has no steps. */
  public boolean isEmpty() {
    return ops.isEmpty();
  }

  /**
   * Runs the chain.
   *
   * @param input the input image; may be null only when the chain starts with a source op
   * @return the result (the input itself for an empty chain)
   * @throws BadRequestException if the input, or the result any step plans, has a side over {@link
   *     #MAX_SIDE}; checked before that step allocates anything
   */
  public BufferedImage apply(BufferedImage input) {
    if (input == null && !startsWithSource()) {
      throw new BadRequestException(
          "basemap: expected an input image or a chain starting with canvas, found "
              + (ops.isEmpty() ? "no steps" : "first step " + ops.get(0).kind().opName()));
    }
    if (input != null && !startsWithSource()) {
      checkSize("basemap: expected an input image", input.getWidth(), input.getHeight());
    }
    BufferedImage img = input;
    for (int i = 0; i < ops.size(); i++) {
      BasemapOp op = ops.get(i);
      long[] size =
          img == null ? op.outputSize(1, 1) : op.outputSize(img.getWidth(), img.getHeight());
      checkSize(
          "basemap step " + (i + 1) + " " + op.kind().opName() + ": expected a result",
          size[0],
          size[1]);
      img = op.apply(img);
    }
    return img;
  }

  private static void checkSize(String what, long width, long height) {
    if (width > MAX_SIDE || height > MAX_SIDE) {
      throw new BadRequestException(
          what
              + " of at most "
              + MAX_SIDE
              + "×"
              + MAX_SIDE
              + " pixels, found "
              + width
              + "×"
              + height);
    }
  }

  /** The canonical text of every step, in order: what records store. */
  public List<String> specs() {
    return ops.stream().map(BasemapOp::spec).toList();
  }

  /** A chain with {@code more} appended. */
  public BasemapChain then(BasemapChain more) {
    List<BasemapOp> all = new ArrayList<>(ops);
    all.addAll(more.ops);
    return new BasemapChain(all);
  }
}

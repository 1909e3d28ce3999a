package atelier.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One declared input or output of a graph: its name, element type and shape, where {@code -1}
 * stands for a dynamic (named or unnamed) dimension.
 */
public record TensorSpec(String name, ElementType type, long[] shape) {

  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    shape = shape.clone();
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** True when dimension {@code i} is fixed (not dynamic). */
  public boolean isStatic(int i) {
    return shape[i] >= 0;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** The shape as people read it: {@code [batch, 4, ?, ?]} style, with {@code ?} for dynamic. */
  public String shapeText() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      b.append(i == 0 ? "" : ", ").append(shape[i] < 0 ? "?" : Long.toString(shape[i]));
    }
    return b.append(']').toString();
  }

  @Override
  public String toString() {
    return name + " " + type + " " + shapeText();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t
        && t.name.equals(name)
        && t.type == type
        && Arrays.equals(t.shape, shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, Arrays.hashCode(shape));
  }
}

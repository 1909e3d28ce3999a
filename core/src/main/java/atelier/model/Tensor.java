package atelier.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A value passed to or read from a graph: float, int or long data in row-major order with its
 * shape. {@link OnnxModel} converts it at the boundary to the type the graph declares (float32 ↔
 * float16, int32 ↔ int64), so stages work in float32 and plain ints whatever the export.
 *
 * <p>Immutable by convention: arrays are not copied, so callers must not change them after handing
 * them over.
 */
public final class Tensor {
  private final long[] shape;
  private final float[] floats;
  private final long[] longs;

  private Tensor(long[] shape, float[] floats, long[] longs) {
    this.shape = shape.clone();
    this.floats = floats;
    this.longs = longs;
    long n = elementCount(this.shape);
    int length = floats != null ? floats.length : longs.length;
    if (n != length) {
      throw new IllegalArgumentException(
          "tensor data: expected "
              + n
              + " elements for shape "
              + Arrays.toString(shape)
              + ", found "
              + length);
    }
  }

  /** A float tensor (fed as float32 or float16, as the graph declares). */
  public static Tensor floats(float[] data, long... shape) {
    return new Tensor(shape, Objects.requireNonNull(data, "data"), null);
  }

  /** An integer tensor (fed as int32 or int64, as the graph declares). */
  public static Tensor ints(int[] data, long... shape) {
    long[] l = new long[data.length];
    for (int i = 0; i < data.length; i++) {
      l[i] = data[i];
    }
    return new Tensor(shape, null, l);
  }

  /** An integer tensor from longs. */
  public static Tensor longs(long[] data, long... shape) {
    return new Tensor(shape, null, Objects.requireNonNull(data, "data"));
  }

  static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor shape: expected sizes >= 0, found " + d);
      }
      n *= d;
    }
    return n;
  }

  public long[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code i}. */
  public int dim(int i) {
    return (int) shape[i];
  }

  public boolean isFloat() {
    return floats != null;
  }

  /** The float data (not a copy). */
  public float[] floatData() {
    if (floats == null) {
      throw new IllegalStateException("tensor holds integers, not floats");
    }
    return floats;
  }

  /** The integer data as longs (not a copy). */
  public long[] longData() {
    if (longs == null) {
      throw new IllegalStateException("tensor holds floats, not integers");
    }
    return longs;
  }

  @Override
  public String toString() {
    return (floats != null ? "float" : "int") + Arrays.toString(shape);
  }
}

package atelier.model;

/**
 * A float32 initializer value handed to ONNX Runtime in place of the one in the graph file, so a
 * patched weight (e.g. a LoRA merge) needs no rewritten copy of the model on disk.
 *
 * @param name the initializer's name in the graph
 * @param shape its dims, as in the graph
 * @param values row-major values; not copied (treat as owned by the override)
 */
public record WeightOverride(String name, long[] shape, float[] values) {
  public WeightOverride {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != values.length) {
      throw new IllegalArgumentException(
          name + ": expected " + n + " values for its shape, found " + values.length);
    }
  }
}

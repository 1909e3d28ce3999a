package atelier.model;

import ai.onnxruntime.OnnxJavaType;

/** The element types Atelier feeds to and reads from model graphs. */
public enum ElementType {
  FLOAT32("float32"),
  FLOAT16("float16"),
  /** Only for small scalar inputs such as a ControlNet's {@code conditioning_scale}. */
  FLOAT64("float64"),
  INT32("int32"),
  INT64("int64"),
  BOOL("bool"),
  OTHER("other");

  private final String label;

  ElementType(String label) {
    this.label = label;
  }

  static ElementType of(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> FLOAT32;
      case FLOAT16 -> FLOAT16;
      case DOUBLE -> FLOAT64;
      case INT32 -> INT32;
      case INT64 -> INT64;
      case BOOL -> BOOL;
      default -> OTHER;
    };
  }

  /** True for the two floating-point types a Stable Diffusion graph may use. */
  public boolean isFloat() {
    return this == FLOAT32 || this == FLOAT16;
  }

  @Override
  public String toString() {
    return label;
  }
}

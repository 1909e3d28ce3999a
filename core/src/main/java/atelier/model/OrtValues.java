package atelier.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import atelier.InferenceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Conversions between Atelier's {@link Tensor} and ONNX Runtime's values, at the element type the
 * graph declares: float32 ↔ float16, int32 ↔ int64 (floats truncated toward zero, as numpy's {@code
 * astype} does). Direct buffers in native order. Stateless; used by {@link OnnxModel}.
 */
final class OrtValues {
  private OrtValues() {}

  static OnnxTensor toOrt(OrtEnvironment env, TensorSpec spec, Tensor t) throws OrtException {
    long[] shape = t.shape();
    int n = (int) Tensor.elementCount(shape);
    switch (spec.type()) {
      case FLOAT32 -> {
        ByteBuffer b = direct(n * 4L);
        b.asFloatBuffer().put(floats(spec, t));
        return OnnxTensor.createTensor(env, b.asFloatBuffer(), shape);
      }
      case FLOAT64 -> {
        ByteBuffer b = direct(n * 8L);
        float[] f = floats(spec, t);
        for (int i = 0; i < n; i++) {
          b.putDouble(i * 8, f[i]);
        }
        return OnnxTensor.createTensor(env, b.asDoubleBuffer(), shape);
      }
      case FLOAT16 -> {
        ByteBuffer b = direct(n * 2L);
        float[] f = floats(spec, t);
        for (int i = 0; i < n; i++) {
          b.putShort(i * 2, Fp16Conversions.floatToFp16(f[i]));
        }
        return OnnxTensor.createTensor(env, b, shape, OnnxJavaType.FLOAT16);
      }
      case INT32 -> {
        ByteBuffer b = direct(n * 4L);
        long[] l = t.isFloat() ? truncate(t.floatData()) : t.longData();
        for (int i = 0; i < n; i++) {
          b.putInt(i * 4, Math.toIntExact(l[i]));
        }
        return OnnxTensor.createTensor(env, b.asIntBuffer(), shape);
      }
      case INT64 -> {
        ByteBuffer b = direct(n * 8L);
        b.asLongBuffer().put(t.isFloat() ? truncate(t.floatData()) : t.longData());
        return OnnxTensor.createTensor(env, b.asLongBuffer(), shape);
      }
      default ->
          throw new IllegalArgumentException(
              "input '" + spec.name() + "': element type " + spec.type() + " is not supported");
    }
  }

  private static float[] floats(TensorSpec spec, Tensor t) {
    if (t.isFloat()) {
      return t.floatData();
    }
    long[] l = t.longData();
    float[] f = new float[l.length];
    for (int i = 0; i < l.length; i++) {
      f[i] = l[i];
    }
    return f;
  }

  /** Float to integer as numpy's astype does: truncation toward zero. */
  private static long[] truncate(float[] f) {
    long[] l = new long[f.length];
    for (int i = 0; i < f.length; i++) {
      l[i] = (long) f[i];
    }
    return l;
  }

  private static ByteBuffer direct(long bytes) {
    return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
  }

  static Tensor fromOrt(OnnxTensor t) {
    TensorInfo info = t.getInfo();
    long[] shape = info.getShape();
    return switch (info.type) {
      case FLOAT, FLOAT16, BFLOAT16, DOUBLE -> {
        FloatBuffer fb = t.getFloatBuffer();
        float[] f = new float[fb.remaining()];
        fb.get(f);
        yield Tensor.floats(f, shape);
      }
      case INT64 -> {
        long[] l = new long[(int) info.getNumElements()];
        t.getLongBuffer().get(l);
        yield Tensor.longs(l, shape);
      }
      case INT32 -> {
        int[] i = new int[(int) info.getNumElements()];
        t.getIntBuffer().get(i);
        yield Tensor.ints(i, shape);
      }
      case BOOL -> {
        ByteBuffer bb = t.getByteBuffer();
        long[] l = new long[bb.remaining()];
        for (int i = 0; i < l.length; i++) {
          l[i] = bb.get(i);
        }
        yield Tensor.longs(l, shape);
      }
      default -> throw new InferenceException("output of type " + info.type + " is not supported");
    };
  }
}

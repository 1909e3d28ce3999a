package atelier.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnknownFieldSet.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds small ONNX models by hand for tests, on the protobuf wire format with onnx.proto's field
 * numbers (ModelProto: ir_version 1, graph 7, opset_import 8; GraphProto: node 1, name 2,
 * initializer 5, input 11, output 12; NodeProto: input 1, output 2, op_type 4, attribute 5;
 * TensorProto: dims 1, data_type 2, raw_data 9, name 8).
 */
public final class TinyGraphs {
  private final Field.Builder nodes = Field.newBuilder();
  private final Field.Builder initializers = Field.newBuilder();
  private final Field.Builder inputs = Field.newBuilder();
  private final Field.Builder outputs = Field.newBuilder();

  /** Adds a node; attributes from {@link #floatAttr}, {@link #stringAttr}. */
  public TinyGraphs node(String op, String[] in, String out, ByteString... attrs) {
    Field.Builder i = Field.newBuilder();
    for (String s : in) {
      i.addLengthDelimited(utf8(s));
    }
    Field.Builder a = Field.newBuilder();
    for (ByteString attr : attrs) {
      a.addLengthDelimited(attr);
    }
    nodes.addLengthDelimited(
        UnknownFieldSet.newBuilder()
            .addField(1, i.build())
            .addField(2, strings(out))
            .addField(4, strings(op))
            .addField(5, a.build())
            .build()
            .toByteString());
    return this;
  }

  /** Adds a float32 initializer. */
  public TinyGraphs initializer(String name, float[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    Field.Builder d = Field.newBuilder();
    for (long x : dims) {
      d.addVarint(x);
    }
    initializers.addLengthDelimited(
        UnknownFieldSet.newBuilder()
            .addField(1, d.build())
            .addField(2, Field.newBuilder().addVarint(1).build())
            .addField(8, strings(name))
            .addField(
                9, Field.newBuilder().addLengthDelimited(ByteString.copyFrom(b.array())).build())
            .build()
            .toByteString());
    return this;
  }

  /** ONNX element types (TensorProto.DataType). */
  public static final int FLOAT = 1;

  public static final int INT32 = 6;
  public static final int INT64 = 7;
  public static final int FLOAT16 = 10;

  /** A float32 graph input of the given rank with dynamic dimensions. */
  public TinyGraphs input(String name, int rank) {
    return input(name, rank, FLOAT);
  }

  /** A graph input of an element type ({@link #FLOAT}, {@link #FLOAT16}, …). */
  public TinyGraphs input(String name, int rank, int elemType) {
    inputs.addLengthDelimited(valueInfo(name, rank, elemType));
    return this;
  }

  /** A float32 graph output of the given rank with dynamic dimensions. */
  public TinyGraphs output(String name, int rank) {
    return output(name, rank, FLOAT);
  }

  /** A graph output of an element type. */
  public TinyGraphs output(String name, int rank, int elemType) {
    outputs.addLengthDelimited(valueInfo(name, rank, elemType));
    return this;
  }

  /** The serialised ModelProto (IR 8, opset 17). */
  public byte[] build() {
    UnknownFieldSet graph =
        UnknownFieldSet.newBuilder()
            .addField(1, nodes.build())
            .addField(2, strings("g"))
            .addField(5, initializers.build())
            .addField(11, inputs.build())
            .addField(12, outputs.build())
            .build();
    UnknownFieldSet opset =
        UnknownFieldSet.newBuilder()
            .addField(1, strings(""))
            .addField(2, Field.newBuilder().addVarint(17).build())
            .build();
    return UnknownFieldSet.newBuilder()
        .addField(1, Field.newBuilder().addVarint(8).build())
        .addField(7, Field.newBuilder().addLengthDelimited(graph.toByteString()).build())
        .addField(8, Field.newBuilder().addLengthDelimited(opset.toByteString()).build())
        .build()
        .toByteArray();
  }

  /** A FLOAT attribute. */
  public static ByteString floatAttr(String name, float value) {
    return UnknownFieldSet.newBuilder()
        .addField(1, strings(name))
        .addField(2, Field.newBuilder().addFixed32(Float.floatToIntBits(value)).build())
        .addField(20, Field.newBuilder().addVarint(1).build())
        .build()
        .toByteString();
  }

  /** A STRING attribute. */
  public static ByteString stringAttr(String name, String value) {
    return UnknownFieldSet.newBuilder()
        .addField(1, strings(name))
        .addField(4, strings(value))
        .addField(20, Field.newBuilder().addVarint(3).build())
        .build()
        .toByteString();
  }

  private static ByteString valueInfo(String name, int rank, int elemType) {
    Field.Builder dims = Field.newBuilder();
    for (int i = 0; i < rank; i++) {
      dims.addLengthDelimited(
          UnknownFieldSet.newBuilder()
              .addField(2, strings(name + "_d" + i))
              .build()
              .toByteString());
    }
    ByteString shape =
        UnknownFieldSet.newBuilder().addField(1, dims.build()).build().toByteString();
    ByteString tensor =
        UnknownFieldSet.newBuilder()
            .addField(1, Field.newBuilder().addVarint(elemType).build())
            .addField(2, Field.newBuilder().addLengthDelimited(shape).build())
            .build()
            .toByteString();
    ByteString type =
        UnknownFieldSet.newBuilder()
            .addField(1, Field.newBuilder().addLengthDelimited(tensor).build())
            .build()
            .toByteString();
    return UnknownFieldSet.newBuilder()
        .addField(1, strings(name))
        .addField(2, Field.newBuilder().addLengthDelimited(type).build())
        .build()
        .toByteString();
  }

  private static Field strings(String s) {
    return Field.newBuilder().addLengthDelimited(utf8(s)).build();
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }
}

package atelier.upscale;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a serialised ONNX {@code ModelProto} of float32 tensors: inputs, outputs, initializers and
 * nodes of the default domain. Atelier uses it to turn layer models of other frameworks into graphs
 * that ONNX Runtime runs.
 *
 * <p>Why not vendored {@code onnx.proto} classes: the handful of messages needed here are written
 * directly in the protobuf wire format, with the field numbers of {@code onnx.proto} (ONNX 1.12)
 * named below. ONNX Runtime validates the result when it loads it.
 *
 * <p>Not thread-safe; one builder per graph.
 */
public final class OnnxGraph {
  // ModelProto
  private static final int MODEL_IR_VERSION = 1;
  private static final int MODEL_PRODUCER_NAME = 2;
  private static final int MODEL_PRODUCER_VERSION = 3;
  private static final int MODEL_DOC_STRING = 6;
  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET_IMPORT = 8;
  private static final int MODEL_METADATA_PROPS = 14;
  // OperatorSetIdProto, StringStringEntryProto
  private static final int OPSET_VERSION = 2;
  private static final int ENTRY_KEY = 1;
  private static final int ENTRY_VALUE = 2;
  // GraphProto
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_NAME = 2;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  // NodeProto
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  // AttributeProto and its AttributeType values
  private static final int ATTR_NAME = 1;
  private static final int ATTR_F = 2;
  private static final int ATTR_I = 3;
  private static final int ATTR_S = 4;
  private static final int ATTR_INTS = 8;
  private static final int ATTR_TYPE = 20;
  private static final int TYPE_FLOAT = 1;
  private static final int TYPE_INT = 2;
  private static final int TYPE_STRING = 3;
  private static final int TYPE_INTS = 7;
  // TensorProto and its DataType values
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int FLOAT = 1;
  private static final int INT64 = 7;
  // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto, its Dimension
  private static final int VALUE_NAME = 1;
  private static final int VALUE_TYPE = 2;
  private static final int TYPE_TENSOR_TYPE = 1;
  private static final int TENSOR_TYPE_ELEM_TYPE = 1;
  private static final int TENSOR_TYPE_SHAPE = 2;
  private static final int SHAPE_DIM = 1;
  private static final int DIM_VALUE = 1;
  private static final int DIM_PARAM = 2;

  /** IR version 8 (ONNX 1.10+), readable by every ONNX Runtime Atelier supports. */
  private static final int IR_VERSION = 8;

  /** The opset the graphs are written for: Resize, DepthToSpace (DCR) and Clip as of opset 13. */
  public static final int OPSET = 13;

  private final String name;
  private final List<byte[]> inputs = new ArrayList<>();
  private final List<byte[]> outputs = new ArrayList<>();
  private final List<byte[]> initializers = new ArrayList<>();
  private final List<byte[]> nodes = new ArrayList<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private String doc = "";
  private int nodeCount;

  /** A builder for a graph called {@code name}. */
  public OnnxGraph(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  /** One node attribute; build with {@link #attr(String, long)} and its siblings. */
  public static final class Attribute {
    private final ProtoWriter proto;

    private Attribute(ProtoWriter proto) {
      this.proto = proto;
    }
  }

  /** An integer attribute. */
  public static Attribute attr(String name, long value) {
    return new Attribute(
        new ProtoWriter()
            .string(ATTR_NAME, name)
            .varint(ATTR_I, value)
            .varint(ATTR_TYPE, TYPE_INT));
  }

  /** A float attribute. */
  public static Attribute attr(String name, float value) {
    return new Attribute(
        new ProtoWriter()
            .string(ATTR_NAME, name)
            .float32(ATTR_F, value)
            .varint(ATTR_TYPE, TYPE_FLOAT));
  }

  /** A string attribute. */
  public static Attribute attr(String name, String value) {
    return new Attribute(
        new ProtoWriter()
            .string(ATTR_NAME, name)
            .string(ATTR_S, value)
            .varint(ATTR_TYPE, TYPE_STRING));
  }

  /** An integer-list attribute. */
  public static Attribute ints(String name, long... values) {
    ProtoWriter p = new ProtoWriter().string(ATTR_NAME, name);
    for (long v : values) {
      p.varint(ATTR_INTS, v);
    }
    return new Attribute(p.varint(ATTR_TYPE, TYPE_INTS));
  }

  /**
   * Declares a float32 graph input. Each dimension is a number (fixed) or a name (dynamic, e.g.
   * {@code "height"}).
   */
  public OnnxGraph input(String name, String... dims) {
    inputs.add(valueInfo(name, dims));
    return this;
  }

  /** Declares a float32 graph output, dimensions as in {@link #input}. */
  public OnnxGraph output(String name, String... dims) {
    outputs.add(valueInfo(name, dims));
    return this;
  }

  /** A float32 constant (weights), stored as little-endian raw data. */
  public OnnxGraph initializer(String name, float[] data, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(data);
    initializers.add(tensor(name, FLOAT, b.array(), dims));
    return this;
  }

  /** An int64 constant (shapes, axes). */
  public OnnxGraph initializer(String name, long[] data, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(data);
    initializers.add(tensor(name, INT64, b.array(), dims));
    return this;
  }

  /**
   * Adds a node of the default domain. An empty string in {@code inputs} marks an omitted optional
   * input.
   */
  public OnnxGraph node(String op, List<String> in, List<String> out, Attribute... attributes) {
    ProtoWriter p = new ProtoWriter();
    in.forEach(i -> p.string(NODE_INPUT, i));
    out.forEach(o -> p.string(NODE_OUTPUT, o));
    p.string(NODE_NAME, op + "_" + nodeCount++);
    p.string(NODE_OP_TYPE, op);
    for (Attribute a : attributes) {
      p.message(NODE_ATTRIBUTE, a.proto);
    }
    nodes.add(p.toByteArray());
    return this;
  }

  /** A key/value pair in the model's {@code metadata_props}. */
  public OnnxGraph metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** The model's doc string. */
  public OnnxGraph doc(String text) {
    doc = Objects.requireNonNull(text, "text");
    return this;
  }

  /** Number of nodes added so far. */
  public int nodeCount() {
    return nodeCount;
  }

  /** The serialised ModelProto. */
  public byte[] toModel(String producerVersion) {
    ProtoWriter graph = new ProtoWriter();
    nodes.forEach(n -> graph.bytes(GRAPH_NODE, n));
    graph.string(GRAPH_NAME, name);
    initializers.forEach(t -> graph.bytes(GRAPH_INITIALIZER, t));
    inputs.forEach(i -> graph.bytes(GRAPH_INPUT, i));
    outputs.forEach(o -> graph.bytes(GRAPH_OUTPUT, o));
    ProtoWriter model =
        new ProtoWriter()
            .varint(MODEL_IR_VERSION, IR_VERSION)
            .string(MODEL_PRODUCER_NAME, "atelier")
            .string(MODEL_PRODUCER_VERSION, producerVersion);
    if (!doc.isEmpty()) {
      model.string(MODEL_DOC_STRING, doc);
    }
    model.message(MODEL_GRAPH, graph);
    model.message(MODEL_OPSET_IMPORT, new ProtoWriter().string(1, "").varint(OPSET_VERSION, OPSET));
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      model.message(
          MODEL_METADATA_PROPS,
          new ProtoWriter().string(ENTRY_KEY, e.getKey()).string(ENTRY_VALUE, e.getValue()));
    }
    return model.toByteArray();
  }

  private static byte[] tensor(String name, int dataType, byte[] raw, long[] dims) {
    ProtoWriter t = new ProtoWriter();
    for (long d : dims) {
      t.varint(TENSOR_DIMS, d);
    }
    return t.varint(TENSOR_DATA_TYPE, dataType)
        .string(TENSOR_NAME, name)
        .bytes(TENSOR_RAW_DATA, raw)
        .toByteArray();
  }

  private static byte[] valueInfo(String name, String[] dims) {
    ProtoWriter shape = new ProtoWriter();
    for (String d : dims) {
      ProtoWriter dim = new ProtoWriter();
      if (!d.isEmpty() && d.chars().allMatch(Character::isDigit)) {
        dim.varint(DIM_VALUE, Long.parseLong(d));
      } else {
        dim.string(DIM_PARAM, d);
      }
      shape.message(SHAPE_DIM, dim);
    }
    ProtoWriter tensorType =
        new ProtoWriter().varint(TENSOR_TYPE_ELEM_TYPE, FLOAT).message(TENSOR_TYPE_SHAPE, shape);
    ProtoWriter type = new ProtoWriter().message(TYPE_TENSOR_TYPE, tensorType);
    return new ProtoWriter().string(VALUE_NAME, name).message(VALUE_TYPE, type).toByteArray();
  }
}

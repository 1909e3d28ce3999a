package atelier.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnknownFieldSet.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rewrites a graph's multi-head attention subgraphs into ONNX Runtime's fused {@code
 * com.microsoft.MultiHeadAttention} operator, whose CPU kernel never materialises the whole score
 * matrix (the UNet's self-attention at 512² has 4096×4096 scores per head).
 *
 * <p>The pattern is the one the PyTorch exporter writes for diffusers-style attention (the tiny
 * test models and {@code tools/bench_model.py} come from the same path): {@code Q =
 * Transpose[0,2,1,3]( Reshape(q, [b, -1, heads, d]))}, {@code Kᵀ = Transpose[0,2,3,1](Reshape(k,
 * …))}, {@code V} like Q, then {@code Softmax(MatMul(Q, Kᵀ) · scale) } (or {@code / c}), {@code
 * MatMul} with V, {@code Transpose[0,2,1,3]} and a Reshape back to {@code [b, n, heads·d]}. It
 * becomes {@code MultiHeadAttention(q, k, v)} with {@code num_heads} and {@code scale}; the shape
 * arithmetic left without consumers is removed. Any variation (masks, other permutations, values
 * used elsewhere) is left alone, so the rewrite never changes what a graph computes, only how.
 *
 * <p>Works on the protobuf wire format like {@link NoiseInputRewriter} (field numbers of {@code
 * onnx.proto}). Stateless.
 */
public final class AttentionFusion {
  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET_IMPORT = 8;
  private static final int OPSET_DOMAIN = 1;
  private static final int OPSET_VERSION = 2;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_OUTPUT = 12;
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int NODE_DOMAIN = 7;
  private static final int ATTR_NAME = 1;
  private static final int ATTR_F = 2;
  private static final int ATTR_I = 3;
  private static final int ATTR_T = 5;
  private static final int ATTR_G = 6;
  private static final int ATTR_INTS = 8;
  private static final int ATTR_GRAPHS = 11;
  private static final int ATTR_TYPE = 20;
  private static final int TYPE_FLOAT = 1;
  private static final int TYPE_INT = 2;
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_FLOAT_DATA = 4;
  private static final int TENSOR_INT64_DATA = 7;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int DATA_FLOAT = 1;
  private static final int DATA_INT64 = 7;

  /**
   * The rewrite's version: bump it whenever {@link #fuse} writes a different graph for the same
   * input, so optimised graphs cached from an older rewrite are not used ({@link #IDENTITY} is part
   * of their cache key).
   */
  public static final int VERSION = 1;

  /** What the optimised-graph cache records of this rewrite: its name and {@link #VERSION}. */
  public static final String IDENTITY = "attention-fusion " + VERSION;

  private static final AtomicLong REWRITES = new AtomicLong();

  private AttentionFusion() {}

  /**
   * How many times {@link #fuse} has read a graph in this process (a cached load reads none; for
   * tests and benchmarks).
   */
  public static long rewrites() {
    return REWRITES.get();
  }

  /**
   * The rewritten graph and how many attention blocks were fused.
   *
   * @param model the serialised ModelProto
   * @param fused attention subgraphs replaced by {@code MultiHeadAttention}
   */
  public record Fused(byte[] model, int fused) {}

  /**
   * Fuses every attention subgraph of the pattern above.
   *
   * @param model a serialised ONNX ModelProto
   * @return the rewrite, or empty when no subgraph matched
   * @throws IllegalArgumentException when the bytes are not an ONNX model
   */
  public static Optional<Fused> fuse(byte[] model) {
    REWRITES.incrementAndGet();
    UnknownFieldSet modelSet = parse(ByteString.copyFrom(model));
    List<ByteString> graphs = field(modelSet, MODEL_GRAPH).getLengthDelimitedList();
    if (graphs.size() != 1) {
      throw new IllegalArgumentException("expected one graph in the model, found " + graphs.size());
    }
    UnknownFieldSet graph = parse(graphs.get(0));
    List<Node> nodes = new ArrayList<>();
    for (ByteString b : field(graph, GRAPH_NODE).getLengthDelimitedList()) {
      nodes.add(new Node(b, parse(b)));
    }
    Graph g = new Graph(nodes, graph);
    int fused = 0;
    for (Node softmax : List.copyOf(nodes)) {
      if (softmax.op.equals("Softmax") && !softmax.removed && g.fuseAt(softmax, fused)) {
        fused++;
      }
    }
    if (fused == 0) {
      return Optional.empty();
    }
    if (nodes.stream().noneMatch(n -> n.hasSubgraph)) {
      g.removeUnused();
    }
    Field.Builder nodeField = Field.newBuilder();
    for (Node n : nodes) {
      if (!n.removed) {
        nodeField.addLengthDelimited(n.bytes);
      }
    }
    UnknownFieldSet newGraph =
        UnknownFieldSet.newBuilder(graph)
            .clearField(GRAPH_NODE)
            .addField(GRAPH_NODE, nodeField.build())
            .build();
    UnknownFieldSet.Builder newModel =
        UnknownFieldSet.newBuilder(modelSet)
            .clearField(MODEL_GRAPH)
            .addField(
                MODEL_GRAPH,
                Field.newBuilder().addLengthDelimited(newGraph.toByteString()).build());
    boolean hasMicrosoft =
        field(modelSet, MODEL_OPSET_IMPORT).getLengthDelimitedList().stream()
            .anyMatch(b -> string(parse(b), OPSET_DOMAIN).equals("com.microsoft"));
    if (!hasMicrosoft) {
      Field.Builder opsets = Field.newBuilder();
      field(modelSet, MODEL_OPSET_IMPORT)
          .getLengthDelimitedList()
          .forEach(opsets::addLengthDelimited);
      opsets.addLengthDelimited(
          UnknownFieldSet.newBuilder()
              .addField(
                  OPSET_DOMAIN,
                  Field.newBuilder().addLengthDelimited(utf8("com.microsoft")).build())
              .addField(OPSET_VERSION, Field.newBuilder().addVarint(1).build())
              .build()
              .toByteString());
      newModel.clearField(MODEL_OPSET_IMPORT).addField(MODEL_OPSET_IMPORT, opsets.build());
    }
    return Optional.of(new Fused(newModel.build().toByteArray(), fused));
  }

  /** A node with its parsed parts; {@code bytes} is replaced when the node is rewritten. */
  private static final class Node {
    ByteString bytes;
    final String op;
    final String domain;
    final List<String> inputs;
    final List<String> outputs;
    final List<UnknownFieldSet> attributes = new ArrayList<>();
    final boolean hasSubgraph;
    boolean removed;

    Node(ByteString bytes, UnknownFieldSet n) {
      this.bytes = bytes;
      this.op = string(n, NODE_OP_TYPE);
      this.domain = string(n, NODE_DOMAIN);
      this.inputs = strings(n, NODE_INPUT);
      this.outputs = strings(n, NODE_OUTPUT);
      boolean sub = false;
      for (ByteString a : field(n, NODE_ATTRIBUTE).getLengthDelimitedList()) {
        UnknownFieldSet attr = parse(a);
        attributes.add(attr);
        sub |= attr.hasField(ATTR_G) || attr.hasField(ATTR_GRAPHS);
      }
      this.hasSubgraph = sub;
    }

    Optional<UnknownFieldSet> attribute(String name) {
      return attributes.stream().filter(a -> string(a, ATTR_NAME).equals(name)).findFirst();
    }

    List<Long> ints(String name) {
      return attribute(name).map(a -> field(a, ATTR_INTS).getVarintList()).orElse(List.of());
    }

    boolean is(String opType) {
      return op.equals(opType) && domain.isEmpty() && !removed;
    }
  }

  /** Producers, consumers and constants of one graph. */
  private static final class Graph {
    final List<Node> nodes;
    final Map<String, Node> producer = new HashMap<>();
    final Map<String, Integer> uses = new HashMap<>();
    final Map<String, UnknownFieldSet> initializers = new HashMap<>();
    final Set<String> graphOutputs = new HashSet<>();

    Graph(List<Node> nodes, UnknownFieldSet graph) {
      this.nodes = nodes;
      for (Node n : nodes) {
        n.outputs.forEach(o -> producer.put(o, n));
        n.inputs.forEach(i -> uses.merge(i, 1, Integer::sum));
      }
      for (ByteString b : field(graph, GRAPH_INITIALIZER).getLengthDelimitedList()) {
        UnknownFieldSet t = parse(b);
        initializers.put(string(t, TENSOR_NAME), t);
      }
      for (ByteString b : field(graph, GRAPH_OUTPUT).getLengthDelimitedList()) {
        graphOutputs.add(string(parse(b), 1));
      }
    }

    /** The node producing {@code value} if it is {@code op} and {@code value} has one consumer. */
    Optional<Node> single(String value, String op) {
      Node n = producer.get(value);
      if (n == null
          || !n.is(op)
          || graphOutputs.contains(value)
          || uses.getOrDefault(value, 0) != 1) {
        return Optional.empty();
      }
      return Optional.of(n);
    }

    /** The only consumer of {@code value}, if it is {@code op}. */
    Optional<Node> onlyConsumer(String value, String op) {
      if (graphOutputs.contains(value) || uses.getOrDefault(value, 0) != 1) {
        return Optional.empty();
      }
      return nodes.stream()
          .filter(n -> !n.removed && n.inputs.contains(value))
          .findFirst()
          .filter(n -> n.is(op));
    }

    /** Q, Kᵀ or V: {@code Transpose(perm)(Reshape(x, [b, -1, heads, d]))}. */
    Optional<Split> split(String value, long... perm) {
      Optional<Node> t = single(value, "Transpose").filter(n -> n.ints("perm").equals(box(perm)));
      if (t.isEmpty()) {
        return Optional.empty();
      }
      Optional<Node> r = single(t.get().inputs.get(0), "Reshape");
      if (r.isEmpty() || r.get().inputs.size() < 2) {
        return Optional.empty();
      }
      Optional<long[]> heads = shapeTail(r.get().inputs.get(1));
      return heads.map(
          h -> new Split(r.get().inputs.get(0), h[0], h[1], List.of(t.get(), r.get())));
    }

    /** Elements 2 and 3 of a rank-4 shape: a constant, or a Concat of four one-element parts. */
    Optional<long[]> shapeTail(String shape) {
      Optional<long[]> whole = constantInts(shape);
      if (whole.isPresent()) {
        long[] s = whole.get();
        return s.length == 4 && s[2] > 0 && s[3] > 0
            ? Optional.of(new long[] {s[2], s[3]})
            : Optional.empty();
      }
      Node concat = producer.get(shape);
      if (concat == null || !concat.is("Concat") || concat.inputs.size() != 4) {
        return Optional.empty();
      }
      Optional<long[]> h = constantInts(concat.inputs.get(2));
      Optional<long[]> d = constantInts(concat.inputs.get(3));
      if (h.isEmpty() || d.isEmpty() || h.get().length != 1 || d.get().length != 1) {
        return Optional.empty();
      }
      return h.get()[0] > 0 && d.get()[0] > 0
          ? Optional.of(new long[] {h.get()[0], d.get()[0]})
          : Optional.empty();
    }

    Optional<long[]> constantInts(String value) {
      UnknownFieldSet t = initializers.get(value);
      if (t == null) {
        Node c = producer.get(value);
        if (c == null || !c.is("Constant")) {
          return Optional.empty();
        }
        Optional<UnknownFieldSet> ints = c.attribute("value_ints");
        if (ints.isPresent()) {
          return Optional.of(
              field(ints.get(), ATTR_INTS).getVarintList().stream()
                  .mapToLong(Long::longValue)
                  .toArray());
        }
        t = c.attribute("value").flatMap(a -> first(a, ATTR_T)).orElse(null);
      }
      return t == null ? Optional.empty() : int64s(t);
    }

    Optional<Float> constantScalar(String value) {
      UnknownFieldSet t = initializers.get(value);
      if (t == null) {
        Node c = producer.get(value);
        if (c == null || !c.is("Constant")) {
          return Optional.empty();
        }
        Optional<UnknownFieldSet> f = c.attribute("value_float");
        if (f.isPresent()) {
          List<Integer> bits = field(f.get(), ATTR_F).getFixed32List();
          return bits.isEmpty() ? Optional.empty() : Optional.of(Float.intBitsToFloat(bits.get(0)));
        }
        t = c.attribute("value").flatMap(a -> first(a, ATTR_T)).orElse(null);
      }
      return t == null ? Optional.empty() : scalarFloat(t);
    }

    /** Tries the pattern around one Softmax; rewrites it and returns true when it matched. */
    boolean fuseAt(Node softmax, int index) {
      List<Long> axis =
          softmax.attribute("axis").map(a -> field(a, ATTR_I).getVarintList()).orElse(List.of());
      if (axis.size() != 1 || (axis.get(0) != -1 && axis.get(0) != 3)) {
        return false;
      }
      // Scores: MatMul(Q, Kᵀ), optionally scaled by a constant Mul or Div.
      float scale = 1f;
      List<Node> removed = new ArrayList<>();
      String scores = softmax.inputs.get(0);
      Node scaled = producer.get(scores);
      if (scaled != null && (scaled.is("Mul") || scaled.is("Div")) && uses.get(scores) == 1) {
        Optional<Float> c = constantScalar(scaled.inputs.get(1));
        String other = scaled.inputs.get(0);
        if (c.isEmpty() && scaled.is("Mul")) {
          c = constantScalar(scaled.inputs.get(0));
          other = scaled.inputs.get(1);
        }
        if (c.isEmpty() || c.get() == 0f) {
          return false;
        }
        scale = scaled.is("Mul") ? c.get() : 1f / c.get();
        removed.add(scaled);
        scores = other;
      }
      Optional<Node> qk = single(scores, "MatMul");
      if (qk.isEmpty()) {
        return false;
      }
      Optional<Split> q = split(qk.get().inputs.get(0), 0, 2, 1, 3);
      Optional<Split> k = split(qk.get().inputs.get(1), 0, 2, 3, 1);
      Optional<Node> pv = onlyConsumer(softmax.outputs.get(0), "MatMul");
      if (q.isEmpty()
          || k.isEmpty()
          || pv.isEmpty()
          || !pv.get().inputs.get(0).equals(softmax.outputs.get(0))) {
        return false;
      }
      Optional<Split> v = split(pv.get().inputs.get(1), 0, 2, 1, 3);
      Optional<Node> back =
          onlyConsumer(pv.get().outputs.get(0), "Transpose")
              .filter(n -> n.ints("perm").equals(box(0, 2, 1, 3)));
      if (v.isEmpty() || back.isEmpty()) {
        return false;
      }
      Optional<Node> merge = onlyConsumer(back.get().outputs.get(0), "Reshape");
      long heads = q.get().heads();
      if (merge.isEmpty()
          || k.get().heads() != heads
          || v.get().heads() != heads
          || k.get().headSize() != q.get().headSize()) {
        return false;
      }
      removed.addAll(List.of(softmax, qk.get(), pv.get(), back.get(), merge.get()));
      removed.addAll(q.get().nodes());
      removed.addAll(k.get().nodes());
      removed.addAll(v.get().nodes());
      for (Node n : removed) {
        n.removed = true;
        n.inputs.forEach(i -> uses.merge(i, -1, Integer::sum));
      }
      // The fused node takes the place of the merging Reshape, so the order stays topological.
      merge.get().removed = false;
      merge.get().bytes =
          multiHeadAttention(
              "AttentionFusion_" + index,
              List.of(q.get().input(), k.get().input(), v.get().input()),
              merge.get().outputs.get(0),
              heads,
              scale);
      for (String i : List.of(q.get().input(), k.get().input(), v.get().input())) {
        uses.merge(i, 1, Integer::sum);
      }
      return true;
    }

    /** Removes nodes none of whose outputs is used (the shape arithmetic of fused blocks). */
    void removeUnused() {
      boolean changed = true;
      while (changed) {
        changed = false;
        for (Node n : nodes) {
          if (n.removed || n.outputs.isEmpty()) {
            continue;
          }
          boolean used =
              n.outputs.stream()
                  .anyMatch(
                      o ->
                          o.isEmpty()
                              ? false
                              : graphOutputs.contains(o) || uses.getOrDefault(o, 0) > 0);
          if (!used) {
            n.removed = true;
            n.inputs.forEach(i -> uses.merge(i, -1, Integer::sum));
            changed = true;
          }
        }
      }
    }
  }

  /** One of Q, K, V: the projection it splits, the head count and size, and the nodes it used. */
  private record Split(String input, long heads, long headSize, List<Node> nodes) {}

  private static ByteString multiHeadAttention(
      String name, List<String> inputs, String output, long heads, float scale) {
    Field.Builder in = Field.newBuilder();
    inputs.forEach(i -> in.addLengthDelimited(utf8(i)));
    UnknownFieldSet numHeads =
        UnknownFieldSet.newBuilder()
            .addField(ATTR_NAME, Field.newBuilder().addLengthDelimited(utf8("num_heads")).build())
            .addField(ATTR_I, Field.newBuilder().addVarint(heads).build())
            .addField(ATTR_TYPE, Field.newBuilder().addVarint(TYPE_INT).build())
            .build();
    UnknownFieldSet scaleAttr =
        UnknownFieldSet.newBuilder()
            .addField(ATTR_NAME, Field.newBuilder().addLengthDelimited(utf8("scale")).build())
            .addField(ATTR_F, Field.newBuilder().addFixed32(Float.floatToIntBits(scale)).build())
            .addField(ATTR_TYPE, Field.newBuilder().addVarint(TYPE_FLOAT).build())
            .build();
    return UnknownFieldSet.newBuilder()
        .addField(NODE_INPUT, in.build())
        .addField(NODE_OUTPUT, Field.newBuilder().addLengthDelimited(utf8(output)).build())
        .addField(NODE_NAME, Field.newBuilder().addLengthDelimited(utf8(name)).build())
        .addField(
            NODE_OP_TYPE, Field.newBuilder().addLengthDelimited(utf8("MultiHeadAttention")).build())
        .addField(
            NODE_ATTRIBUTE,
            Field.newBuilder()
                .addLengthDelimited(numHeads.toByteString())
                .addLengthDelimited(scaleAttr.toByteString())
                .build())
        .addField(NODE_DOMAIN, Field.newBuilder().addLengthDelimited(utf8("com.microsoft")).build())
        .build()
        .toByteString();
  }

  private static Optional<long[]> int64s(UnknownFieldSet t) {
    if (field(t, TENSOR_DATA_TYPE).getVarintList().stream().noneMatch(x -> x == DATA_INT64)) {
      return Optional.empty();
    }
    List<ByteString> raw = field(t, TENSOR_RAW_DATA).getLengthDelimitedList();
    if (!raw.isEmpty()) {
      ByteBuffer b = raw.get(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      long[] a = new long[b.remaining() / 8];
      b.asLongBuffer().get(a);
      return Optional.of(a);
    }
    return Optional.of(
        field(t, TENSOR_INT64_DATA).getVarintList().stream().mapToLong(Long::longValue).toArray());
  }

  private static Optional<Float> scalarFloat(UnknownFieldSet t) {
    if (field(t, TENSOR_DATA_TYPE).getVarintList().stream().noneMatch(x -> x == DATA_FLOAT)
        || field(t, TENSOR_DIMS).getVarintList().stream().anyMatch(d -> d != 1)) {
      return Optional.empty();
    }
    List<ByteString> raw = field(t, TENSOR_RAW_DATA).getLengthDelimitedList();
    if (!raw.isEmpty()) {
      return raw.get(0).size() == 4
          ? Optional.of(raw.get(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat())
          : Optional.empty();
    }
    List<Integer> f = field(t, TENSOR_FLOAT_DATA).getFixed32List();
    if (f.size() == 1) {
      return Optional.of(Float.intBitsToFloat(f.get(0)));
    }
    // Packed repeated floats arrive as one length-delimited value.
    List<ByteString> packed = field(t, TENSOR_FLOAT_DATA).getLengthDelimitedList();
    return packed.size() == 1 && packed.get(0).size() == 4
        ? Optional.of(
            packed.get(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat())
        : Optional.empty();
  }

  private static List<Long> box(long... values) {
    List<Long> l = new ArrayList<>();
    for (long v : values) {
      l.add(v);
    }
    return l;
  }

  private static Optional<UnknownFieldSet> first(UnknownFieldSet set, int number) {
    List<ByteString> l = field(set, number).getLengthDelimitedList();
    return l.isEmpty() ? Optional.empty() : Optional.of(parse(l.get(0)));
  }

  private static Field field(UnknownFieldSet set, int number) {
    return set.hasField(number) ? set.getField(number) : Field.getDefaultInstance();
  }

  private static String string(UnknownFieldSet set, int number) {
    List<ByteString> l = field(set, number).getLengthDelimitedList();
    return l.isEmpty() ? "" : l.get(0).toString(StandardCharsets.UTF_8);
  }

  private static List<String> strings(UnknownFieldSet set, int number) {
    return field(set, number).getLengthDelimitedList().stream()
        .map(b -> b.toString(StandardCharsets.UTF_8))
        .toList();
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  private static UnknownFieldSet parse(ByteString bytes) {
    try {
      return UnknownFieldSet.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
  }
}

package atelier.model;

import static atelier.model.OnnxProto.parse;
import static atelier.model.OnnxProto.string;
import static atelier.model.OnnxProto.utf8;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnknownFieldSet.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns the one random-normal node of a graph into a graph input, so the caller supplies the noise.
 *
 * <p>Why: VAE encoders exported by the diffusers script and by Optimum before 1.24 sample the
 * posterior inside the graph ({@code RandomNormalLike}), and ONNX Runtime seeds that node from the
 * clock. With the node replaced by an input, Atelier feeds noise from the request's
 * torch-compatible generator, in the order diffusers draws it, so image-to-image is reproducible.
 *
 * <p>Works on the protobuf wire format with field numbers from {@code onnx.proto} (ModelProto.graph
 * = 7; GraphProto.node = 1, input = 11; NodeProto.input = 1, output = 2, op_type = 4, attribute =
 * 5; AttributeProto.name = 1, f = 2). Stateless.
 */
public final class NoiseInputRewriter {
  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INPUT = 11;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int ATTR_NAME = 1;
  private static final int ATTR_F = 2;
  private static final int TENSOR_FLOAT = 1;
  private static final int TENSOR_FLOAT16 = 10;

  private NoiseInputRewriter() {}

  /**
   * The rewritten graph and what the new input expects.
   *
   * @param model the serialised ModelProto
   * @param inputName the new input's name (the random node's output)
   * @param mean the node's {@code mean} attribute: feed {@code mean + scale·N(0,1)}
   * @param scale the node's {@code scale} attribute
   */
  public record Rewritten(byte[] model, String inputName, float mean, float scale) {}

  /**
   * Replaces the graph's single {@code RandomNormal}/{@code RandomNormalLike} node by a rank-4
   * input.
   *
   * @param model a serialised ONNX ModelProto
   * @param float16 whether the new input is float16 (fp16 graphs) rather than float32
   * @return the rewrite, or empty when the graph has no random-normal node
   * @throws IllegalArgumentException when the bytes are not a model or it has several such nodes
   */
  public static Optional<Rewritten> rewrite(byte[] model, boolean float16) {
    UnknownFieldSet modelSet;
    UnknownFieldSet graph;
    try {
      modelSet = UnknownFieldSet.parseFrom(model);
      List<ByteString> graphs = field(modelSet, MODEL_GRAPH).getLengthDelimitedList();
      if (graphs.size() != 1) {
        throw new IllegalArgumentException(
            "expected one graph in the model, found " + graphs.size());
      }
      graph = UnknownFieldSet.parseFrom(graphs.get(0));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
    List<ByteString> nodes = field(graph, GRAPH_NODE).getLengthDelimitedList();
    List<ByteString> kept = new ArrayList<>(nodes.size());
    UnknownFieldSet random = null;
    for (ByteString bytes : nodes) {
      UnknownFieldSet node = parse(bytes);
      String op = string(node, NODE_OP_TYPE);
      if (op.equals("RandomNormalLike") || op.equals("RandomNormal")) {
        if (random != null) {
          throw new IllegalArgumentException("expected at most one random-normal node, found more");
        }
        random = node;
      } else {
        kept.add(bytes);
      }
    }
    if (random == null) {
      return Optional.empty();
    }
    String output = string(random, NODE_OUTPUT);
    float mean = floatAttribute(random, "mean", 0f);
    float scale = floatAttribute(random, "scale", 1f);

    Field.Builder nodeField = Field.newBuilder();
    kept.forEach(nodeField::addLengthDelimited);
    Field.Builder inputField = Field.newBuilder();
    field(graph, GRAPH_INPUT).getLengthDelimitedList().forEach(inputField::addLengthDelimited);
    inputField.addLengthDelimited(valueInfo(output, float16 ? TENSOR_FLOAT16 : TENSOR_FLOAT));
    UnknownFieldSet newGraph =
        UnknownFieldSet.newBuilder(graph)
            .clearField(GRAPH_NODE)
            .clearField(GRAPH_INPUT)
            .addField(GRAPH_NODE, nodeField.build())
            .addField(GRAPH_INPUT, inputField.build())
            .build();
    UnknownFieldSet newModel =
        UnknownFieldSet.newBuilder(modelSet)
            .clearField(MODEL_GRAPH)
            .addField(
                MODEL_GRAPH, Field.newBuilder().addLengthDelimited(newGraph.toByteString()).build())
            .build();
    return Optional.of(new Rewritten(newModel.toByteArray(), output, mean, scale));
  }

  /** ValueInfoProto{name, type: TypeProto{tensor_type{elem_type, shape{4 named dims}}}}. */
  private static ByteString valueInfo(String name, int elemType) {
    Field.Builder dims = Field.newBuilder();
    for (String d : new String[] {"noise_batch", "noise_channels", "noise_height", "noise_width"}) {
      UnknownFieldSet dim =
          UnknownFieldSet.newBuilder()
              .addField(2, Field.newBuilder().addLengthDelimited(utf8(d)).build())
              .build();
      dims.addLengthDelimited(dim.toByteString());
    }
    UnknownFieldSet shape = UnknownFieldSet.newBuilder().addField(1, dims.build()).build();
    UnknownFieldSet tensorType =
        UnknownFieldSet.newBuilder()
            .addField(1, Field.newBuilder().addVarint(elemType).build())
            .addField(2, Field.newBuilder().addLengthDelimited(shape.toByteString()).build())
            .build();
    UnknownFieldSet type =
        UnknownFieldSet.newBuilder()
            .addField(1, Field.newBuilder().addLengthDelimited(tensorType.toByteString()).build())
            .build();
    return UnknownFieldSet.newBuilder()
        .addField(1, Field.newBuilder().addLengthDelimited(utf8(name)).build())
        .addField(2, Field.newBuilder().addLengthDelimited(type.toByteString()).build())
        .build()
        .toByteString();
  }

  private static float floatAttribute(UnknownFieldSet node, String name, float fallback) {
    for (ByteString bytes : field(node, NODE_ATTRIBUTE).getLengthDelimitedList()) {
      UnknownFieldSet attr = parse(bytes);
      if (string(attr, ATTR_NAME).equals(name)) {
        List<Integer> f = field(attr, ATTR_F).getFixed32List();
        return f.isEmpty() ? fallback : Float.intBitsToFloat(f.get(0));
      }
    }
    return fallback;
  }

  private static Field field(UnknownFieldSet set, int number) {
    return set.hasField(number) ? set.getField(number) : Field.getDefaultInstance();
  }
}

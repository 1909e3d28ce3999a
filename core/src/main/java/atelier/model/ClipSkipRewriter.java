package atelier.model;

import static atelier.model.OnnxProto.parse;
import static atelier.model.OnnxProto.string;
import static atelier.model.OnnxProto.strings;
import static atelier.model.OnnxProto.utf8;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnknownFieldSet.Field;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives a CLIP text encoder graph one output per A1111 "Clip skip": for skip {@code N ≥ 2}, the
 * hidden state after the {@code N}-th layer from the end (transformers' {@code hidden_states[-N]})
 * passed through a copy of the graph's final layer norm — what A1111 and diffusers feed the UNet.
 *
 * <p>How: exported CLIP encoders (diffusers' script, Optimum, Olive) keep a pre-norm residual
 * stream: the embeddings, then per layer {@code h + attention(norm1(h))} and {@code m +
 * mlp(norm2(m))}. Every stream tensor is the input of exactly one layer norm (a {@code
 * LayerNormalization} node, or the {@code Sub(x, ReduceMean(x))} of a decomposed one), the last
 * being the final layer norm, and each is made by an {@code Add} of the one before. Those inputs,
 * in graph order, are the stream; the chain of Adds is checked before anything is written. The
 * nodes between the last stream tensor and {@code last_hidden_state} (the final norm) are copied
 * once per skip with renamed tensors.
 *
 * <p>The copies are appended to the serialised model as a second occurrence of the graph field,
 * which protobuf parsers merge into the first (repeated fields concatenate), so the weights are
 * never re-encoded. Works on the wire format with field numbers from {@code onnx.proto}
 * (ModelProto.graph = 7; GraphProto.node = 1, output = 12; NodeProto.input = 1, output = 2, name =
 * 3, op_type = 4; ValueInfoProto.name = 1). Stateless.
 */
public final class ClipSkipRewriter {
  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_OUTPUT = 12;
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int VALUE_NAME = 1;

  private ClipSkipRewriter() {}

  /**
   * The rewritten model.
   *
   * @param model the serialised ModelProto with the new outputs
   * @param layers the encoder's layer count {@code L}; skips 2 to {@code L + 1} have an output
   */
  public record Rewritten(byte[] model, int layers) {
    /** The output for clip skip {@code n} (2 ≤ n ≤ layers + 1). */
    public String output(int n) {
      return outputName(n);
    }
  }

  /** The name of the output added for clip skip {@code n}. */
  public static String outputName(int n) {
    return "last_hidden_state_clip_skip_" + n;
  }

  /**
   * Adds the clip-skip outputs.
   *
   * @param model a serialised ONNX ModelProto of a CLIP text encoder
   * @param output the graph's final output, {@code last_hidden_state}
   * @throws IllegalArgumentException when the bytes are not a model or the encoder's layers cannot
   *     be found (the message says what was missing)
   */
  public static Rewritten rewrite(byte[] model, String output) {
    List<UnknownFieldSet> nodes = new ArrayList<>();
    Map<String, ByteString> outputs = new HashMap<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(model);
      in.enableAliasing(true);
      in.setSizeLimit(Integer.MAX_VALUE);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == lengthDelimited(MODEL_GRAPH)) {
          readGraph(in.readBytes(), nodes, outputs);
        } else if (!in.skipField(tag)) {
          break;
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
    ByteString declared = outputs.get(output);
    if (declared == null) {
      throw new IllegalArgumentException(
          "expected an output '" + output + "', found " + outputs.keySet());
    }
    Map<String, Integer> producer = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      for (String o : strings(nodes.get(i), NODE_OUTPUT)) {
        producer.put(o, i);
      }
    }
    List<String> stream = streamTensors(nodes, producer);
    if (stream.size() < 3 || stream.size() % 2 == 0) {
      throw new IllegalArgumentException(
          "expected the layer-norm inputs of an embedding and two per encoder layer, found "
              + stream.size());
    }
    for (int i = 1; i < stream.size(); i++) {
      Integer p = producer.get(stream.get(i));
      if (p == null
          || !string(nodes.get(p), NODE_OP_TYPE).equals("Add")
          || !strings(nodes.get(p), NODE_INPUT).contains(stream.get(i - 1))) {
        throw new IllegalArgumentException(
            "expected '"
                + stream.get(i)
                + "' to be a residual Add of '"
                + stream.get(i - 1)
                + "', found another node");
      }
    }
    int layers = (stream.size() - 1) / 2;
    String last = stream.get(stream.size() - 1);
    List<Integer> finalNorm = between(nodes, producer, last, output);
    if (finalNorm.isEmpty()) {
      throw new IllegalArgumentException(
          "expected '" + output + "' to be computed from '" + last + "', found no path");
    }

    Field.Builder newNodes = Field.newBuilder();
    Field.Builder newOutputs = Field.newBuilder();
    for (int n = 2; n <= layers + 1; n++) {
      String source = stream.get(2 * (layers + 1 - n));
      String suffix = "/clip_skip_" + n;
      Map<String, String> renamed = new HashMap<>();
      renamed.put(last, source);
      for (int i : finalNorm) {
        for (String o : strings(nodes.get(i), NODE_OUTPUT)) {
          renamed.put(o, o.equals(output) ? outputName(n) : o + suffix);
        }
      }
      for (int i : finalNorm) {
        UnknownFieldSet node = nodes.get(i);
        String name = string(node, NODE_NAME);
        UnknownFieldSet.Builder copy =
            UnknownFieldSet.newBuilder(node)
                .clearField(NODE_INPUT)
                .clearField(NODE_OUTPUT)
                .addField(NODE_INPUT, names(strings(node, NODE_INPUT), renamed))
                .addField(NODE_OUTPUT, names(strings(node, NODE_OUTPUT), renamed));
        if (!name.isEmpty()) {
          copy.clearField(NODE_NAME)
              .addField(
                  NODE_NAME, Field.newBuilder().addLengthDelimited(utf8(name + suffix)).build());
        }
        newNodes.addLengthDelimited(copy.build().toByteString());
      }
      UnknownFieldSet value = parse(declared);
      newOutputs.addLengthDelimited(
          UnknownFieldSet.newBuilder(value)
              .clearField(VALUE_NAME)
              .addField(
                  VALUE_NAME, Field.newBuilder().addLengthDelimited(utf8(outputName(n))).build())
              .build()
              .toByteString());
    }
    UnknownFieldSet extraGraph =
        UnknownFieldSet.newBuilder()
            .addField(GRAPH_NODE, newNodes.build())
            .addField(GRAPH_OUTPUT, newOutputs.build())
            .build();
    byte[] tail =
        UnknownFieldSet.newBuilder()
            .addField(
                MODEL_GRAPH,
                Field.newBuilder().addLengthDelimited(extraGraph.toByteString()).build())
            .build()
            .toByteArray();
    byte[] out = new byte[model.length + tail.length];
    System.arraycopy(model, 0, out, 0, model.length);
    System.arraycopy(tail, 0, out, model.length, tail.length);
    return new Rewritten(out, layers);
  }

  private static void readGraph(
      ByteString graph, List<UnknownFieldSet> nodes, Map<String, ByteString> outputs)
      throws IOException {
    CodedInputStream in = graph.newCodedInput();
    in.enableAliasing(true);
    in.setSizeLimit(Integer.MAX_VALUE);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == lengthDelimited(GRAPH_NODE)) {
        nodes.add(parse(in.readBytes()));
      } else if (tag == lengthDelimited(GRAPH_OUTPUT)) {
        ByteString value = in.readBytes();
        outputs.put(string(parse(value), VALUE_NAME), value);
      } else if (!in.skipField(tag)) {
        break;
      }
    }
  }

  /** The inputs of the graph's layer norms, in graph order, each once. */
  private static List<String> streamTensors(
      List<UnknownFieldSet> nodes, Map<String, Integer> producer) {
    Set<String> found = new LinkedHashSet<>();
    for (UnknownFieldSet node : nodes) {
      String op = string(node, NODE_OP_TYPE);
      List<String> in = strings(node, NODE_INPUT);
      if (op.equals("LayerNormalization") && !in.isEmpty()) {
        found.add(in.get(0));
      } else if (op.equals("Sub") && in.size() == 2) {
        Integer p = producer.get(in.get(1));
        if (p != null) {
          UnknownFieldSet mean = nodes.get(p);
          List<String> meanIn = strings(mean, NODE_INPUT);
          if (string(mean, NODE_OP_TYPE).equals("ReduceMean")
              && !meanIn.isEmpty()
              && meanIn.get(0).equals(in.get(0))) {
            found.add(in.get(0));
          }
        }
      }
    }
    return new ArrayList<>(found);
  }

  /** Indices, in graph order, of the nodes on a path from tensor {@code from} to {@code to}. */
  private static List<Integer> between(
      List<UnknownFieldSet> nodes, Map<String, Integer> producer, String from, String to) {
    Set<Integer> ancestors = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(to));
    while (!todo.isEmpty()) {
      String t = todo.pop();
      Integer p = producer.get(t);
      if (t.equals(from) || p == null || !ancestors.add(p)) {
        continue;
      }
      todo.addAll(strings(nodes.get(p), NODE_INPUT));
    }
    Set<String> reached = new HashSet<>(List.of(from));
    List<Integer> path = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (!ancestors.contains(i)) {
        continue;
      }
      List<String> in = strings(nodes.get(i), NODE_INPUT);
      if (in.stream().anyMatch(reached::contains)) {
        path.add(i);
        reached.addAll(strings(nodes.get(i), NODE_OUTPUT));
      }
    }
    return reached.contains(to) ? path : List.of();
  }

  private static Field names(List<String> names, Map<String, String> renamed) {
    Field.Builder f = Field.newBuilder();
    for (String n : names) {
      f.addLengthDelimited(utf8(renamed.getOrDefault(n, n)));
    }
    return f.build();
  }

  private static int lengthDelimited(int field) {
    return field << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }
}

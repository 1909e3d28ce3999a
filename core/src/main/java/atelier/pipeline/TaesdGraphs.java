package atelier.pipeline;

import atelier.ModelLoadException;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads which image range a TAESD decoder graph gives from the node that produces its {@code
 * sample} output, on the protobuf wire format of {@code onnx.proto} (ModelProto.graph = 7,
 * GraphProto.node = 1, NodeProto.input = 1, output = 2, op_type = 4); initializers are skipped, not
 * loaded. Stateless.
 */
final class TaesdGraphs {
  private TaesdGraphs() {}

  private record Node(String op, List<String> inputs) {}

  /**
   * {@link TaesdDecoder.Range#MINUS_ONE_TO_ONE} when {@code sample} is made by a {@code Sub} (or
   * {@code Add}) of a {@code Mul}, as the PyTorch exporter writes diffusers' {@code
   * x.mul(2).sub(1)}; else {@link TaesdDecoder.Range#ZERO_TO_ONE}, as madebyollin's decoder ends in
   * a convolution.
   *
   * @throws ModelLoadException when the file cannot be read as an ONNX model
   */
  static TaesdDecoder.Range outputRange(Path graph) {
    Map<String, Node> producers = new HashMap<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(graph), 1 << 16)) {
      CodedInputStream c = CodedInputStream.newInstance(in, 1 << 16);
      c.setSizeLimit(Integer.MAX_VALUE);
      for (int tag = c.readTag(); tag != 0; tag = c.readTag()) {
        if (WireFormat.getTagFieldNumber(tag) == 7
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          int limit = c.pushLimit(c.readRawVarint32());
          readNodes(c, producers);
          c.popLimit(limit);
        } else {
          c.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw new ModelLoadException(
          "taesd: cannot read the ONNX graph " + graph + " (" + e.getMessage() + ")", e);
    }
    Node last = producers.get("sample");
    if (last != null
        && (last.op().equals("Sub") || last.op().equals("Add"))
        && !last.inputs().isEmpty()) {
      Node before = producers.get(last.inputs().get(0));
      if (before != null && before.op().equals("Mul")) {
        return TaesdDecoder.Range.MINUS_ONE_TO_ONE;
      }
    }
    return TaesdDecoder.Range.ZERO_TO_ONE;
  }

  private static void readNodes(CodedInputStream c, Map<String, Node> producers)
      throws IOException {
    while (!c.isAtEnd()) {
      int tag = c.readTag();
      if (WireFormat.getTagFieldNumber(tag) != 1
          || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        c.skipField(tag);
        continue;
      }
      int limit = c.pushLimit(c.readRawVarint32());
      String op = "";
      List<String> inputs = new ArrayList<>();
      List<String> outputs = new ArrayList<>();
      while (!c.isAtEnd()) {
        int t = c.readTag();
        switch (WireFormat.getTagFieldNumber(t)) {
          case 1 -> inputs.add(c.readStringRequireUtf8());
          case 2 -> outputs.add(c.readStringRequireUtf8());
          case 4 -> op = c.readStringRequireUtf8();
          default -> c.skipField(t);
        }
      }
      c.popLimit(limit);
      Node node = new Node(op, List.copyOf(inputs));
      for (String o : outputs) {
        producers.put(o, node);
      }
    }
  }
}

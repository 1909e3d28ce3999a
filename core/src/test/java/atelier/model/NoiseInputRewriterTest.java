package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnknownFieldSet.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rewrite runs for real in ONNX Runtime: a hand-built graph {@code y = x + 0.5 + 2·N(0,1)} (a
 * RandomNormalLike node) becomes {@code y = x + noise} with the noise fed by the caller.
 */
class NoiseInputRewriterTest {

  @Test
  void replacesTheRandomNodeWithAnInputThatRunsInOnnxRuntime() {
    byte[] model = model(true);
    NoiseInputRewriter.Rewritten r = NoiseInputRewriter.rewrite(model, false).orElseThrow();
    assertThat(r.inputName()).isEqualTo("r");
    assertThat(r.mean()).isEqualTo(0.5f);
    assertThat(r.scale()).isEqualTo(2f);

    try (OnnxModel m =
        OnnxModel.open("test", r.model(), Path.of("mem.onnx"), SessionSettings.CPU)) {
      assertThat(m.inputs()).extracting(TensorSpec::name).containsExactly("x", "r");
      float[] x = {1, 2, 3, 4};
      float[] noise = {0.25f, -1f, 0f, 10f};
      Map<String, Tensor> out =
          m.run(
              Map.of("x", Tensor.floats(x, 1, 1, 2, 2), "r", Tensor.floats(noise, 1, 1, 2, 2)),
              "y");
      assertThat(out.get("y").floatData()).containsExactly(1.25f, 1f, 3f, 14f);
    }
  }

  @Test
  void leavesGraphsWithoutRandomNodesAlone() {
    assertThat(NoiseInputRewriter.rewrite(model(false), false)).isEmpty();
  }

  @Test
  void rejectsBytesThatAreNotAModel() {
    assertThatThrownBy(() -> NoiseInputRewriter.rewrite(new byte[] {(byte) 0xff, 1, 2}, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an ONNX model");
  }

  /** A ModelProto, by field number: with a random node y = x + r, r = RandomNormalLike(x). */
  private static byte[] model(boolean random) {
    UnknownFieldSet.Builder graph = UnknownFieldSet.newBuilder();
    Field.Builder nodes = Field.newBuilder();
    if (random) {
      nodes.addLengthDelimited(
          node("RandomNormalLike", new String[] {"x"}, "r", attr("mean", 0.5f), attr("scale", 2f)));
      nodes.addLengthDelimited(node("Add", new String[] {"x", "r"}, "y"));
    } else {
      nodes.addLengthDelimited(node("Add", new String[] {"x", "x"}, "y"));
    }
    graph.addField(1, nodes.build());
    graph.addField(2, strings("g"));
    graph.addField(11, Field.newBuilder().addLengthDelimited(valueInfo("x")).build());
    graph.addField(12, Field.newBuilder().addLengthDelimited(valueInfo("y")).build());
    UnknownFieldSet opset =
        UnknownFieldSet.newBuilder()
            .addField(1, strings(""))
            .addField(2, Field.newBuilder().addVarint(17).build())
            .build();
    return UnknownFieldSet.newBuilder()
        .addField(1, Field.newBuilder().addVarint(8).build())
        .addField(7, Field.newBuilder().addLengthDelimited(graph.build().toByteString()).build())
        .addField(8, Field.newBuilder().addLengthDelimited(opset.toByteString()).build())
        .build()
        .toByteArray();
  }

  private static ByteString node(String op, String[] inputs, String output, ByteString... attrs) {
    Field.Builder in = Field.newBuilder();
    for (String i : inputs) {
      in.addLengthDelimited(utf8(i));
    }
    Field.Builder a = Field.newBuilder();
    for (ByteString attr : attrs) {
      a.addLengthDelimited(attr);
    }
    return UnknownFieldSet.newBuilder()
        .addField(1, in.build())
        .addField(2, strings(output))
        .addField(4, strings(op))
        .addField(5, a.build())
        .build()
        .toByteString();
  }

  private static ByteString attr(String name, float value) {
    return UnknownFieldSet.newBuilder()
        .addField(1, strings(name))
        .addField(2, Field.newBuilder().addFixed32(Float.floatToIntBits(value)).build())
        .addField(20, Field.newBuilder().addVarint(1).build()) // AttributeType FLOAT
        .build()
        .toByteString();
  }

  private static ByteString valueInfo(String name) {
    Field.Builder dims = Field.newBuilder();
    for (long d : new long[] {1, 1, 2, 2}) {
      dims.addLengthDelimited(
          UnknownFieldSet.newBuilder()
              .addField(1, Field.newBuilder().addVarint(d).build())
              .build()
              .toByteString());
    }
    ByteString shape =
        UnknownFieldSet.newBuilder().addField(1, dims.build()).build().toByteString();
    ByteString tensor =
        UnknownFieldSet.newBuilder()
            .addField(1, Field.newBuilder().addVarint(1).build())
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

package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.testing.TinyGraphs;
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

  /** y = x + r with r = RandomNormalLike(x) (mean 0.5, scale 2), or y = x + x. */
  private static byte[] model(boolean random) {
    TinyGraphs g = new TinyGraphs().input("x", 4);
    if (random) {
      g.node(
              "RandomNormalLike",
              new String[] {"x"},
              "r",
              TinyGraphs.floatAttr("mean", 0.5f),
              TinyGraphs.floatAttr("scale", 2f))
          .node("Add", new String[] {"x", "r"}, "y");
    } else {
      g.node("Add", new String[] {"x", "x"}, "y");
    }
    return g.output("y", 4).build();
  }
}

package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.TinyGraphs;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Values converted at the boundary to what a graph declares, through real ONNX Runtime sessions of
 * hand-built graphs: float16 in and out (Olive exports), int32/int64 ids from the same ints.
 */
class OrtValuesTest {

  private static OnnxModel identity(int elemType) {
    byte[] g =
        new TinyGraphs()
            .input("x", 1, elemType)
            .node("Identity", new String[] {"x"}, "y")
            .output("y", 1, elemType)
            .build();
    return OnnxModel.open("test", g, Path.of("identity.onnx"), SessionSettings.CPU);
  }

  @Test
  void floatsGoThroughAFloat16GraphAndComeBackWidened() {
    try (OnnxModel m = identity(TinyGraphs.FLOAT16)) {
      assertThat(m.usesFloat16()).isTrue();
      float[] in = {1.5f, -2f, 0.1f, 65504f};
      float[] out = m.run(Map.of("x", Tensor.floats(in, 4)), "y").get("y").floatData();
      // 0.1 is not a float16 value: it comes back as the nearest one, 0.0999755859375.
      assertThat(out).containsExactly(1.5f, -2f, 0.0999755859375f, 65504f);
    }
  }

  @Test
  void integersFitInt32AndInt64GraphsAlike() {
    for (int type : new int[] {TinyGraphs.INT32, TinyGraphs.INT64}) {
      try (OnnxModel m = identity(type)) {
        Tensor out =
            m.run(Map.of("x", Tensor.ints(new int[] {49406, 320, 49407}, 3)), "y").get("y");
        assertThat(out.longData()).containsExactly(49406L, 320L, 49407L);
      }
    }
  }

  @Test
  void floatTimestepsAreTruncatedForIntegerGraphsAsNumpyDoes() {
    try (OnnxModel m = identity(TinyGraphs.INT64)) {
      Tensor out = m.run(Map.of("x", Tensor.floats(new float[] {978.6f, -1.5f}, 2)), "y").get("y");
      assertThat(out.longData()).containsExactly(978L, -1L);
    }
  }
}

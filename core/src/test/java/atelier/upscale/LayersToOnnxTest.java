package atelier.upscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.ModelLoadException;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The layers-to-ONNX converter against torch: {@code tiny-layers} uses every supported layer class,
 * and {@code tools/upscale/make_test_models.py} computed its output with torch on NCHW tensors (an
 * implementation independent of the converter).
 */
class LayersToOnnxTest {
  private static final Path MODEL = TestModels.file("tiny-layers/model.json");

  @ParameterizedTest(name = "input range 0..{0}")
  @ValueSource(ints = {255, 1})
  void convertedGraphMatchesTorch(int range) {
    TfjsLayersModel layers = TfjsLayersModel.read(MODEL);
    LayersToOnnx.Converted c = LayersToOnnx.convert(layers, range, "tiny");
    assertThat(c.scale()).isEqualTo(4);
    assertThat(c.layers()).isEqualTo(13);
    assertThat(c.peakFloatsPerPixel()).isPositive();

    float[] input = TestModels.floats("tiny-layers/input.f32");
    float[] expected = TestModels.floats("tiny-layers/expected-range" + range + ".f32");
    try (Upscaler up =
        new Upscaler(
            OnnxModel.open("upscaler", c.model(), MODEL, SessionSettings.CPU),
            "tiny",
            Optional.empty())) {
      assertThat(up.scale()).isEqualTo(4);
      assertThat(up.alignment()).isEqualTo(1);
      float[] out = up.run(input, 12, 10);
      assertThat(TestModels.maxAbsDifference(out, expected)).isLessThan(2e-5f);
    }
  }

  @Test
  void rejectsAnUnsupportedLayerNamingTheSupportedOnes(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    String json =
        Files.readString(MODEL).replace("\"class_name\": \"Add\"", "\"class_name\": \"Lambda\"");
    Files.writeString(dir.resolve("model.json"), json);
    Files.copy(
        TestModels.file("tiny-layers/group1-shard1of1.bin"), dir.resolve("group1-shard1of1.bin"));
    TfjsLayersModel layers = TfjsLayersModel.read(dir.resolve("model.json"));
    assertThatThrownBy(() -> LayersToOnnx.convert(layers, 255, "bad"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("layer LRL (Lambda)")
        .hasMessageContaining("not supported")
        .hasMessageContaining("PixelShuffle<N>x");
  }

  @Test
  void rejectsAGraphModelAndMissingShards(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    byte[] graphModel =
        "{\"format\": \"graph-model\", \"modelTopology\": {}}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> TfjsLayersModel.parse(graphModel, r -> new byte[0], "m.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected a TensorFlow.js layers model")
        .hasMessageContaining("\"graph-model\"");

    Files.copy(MODEL, dir.resolve("model.json"));
    assertThatThrownBy(() -> TfjsLayersModel.read(dir.resolve("model.json")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected the weight shard");
  }

  @Test
  void rejectsShardsOfTheWrongSize(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Files.copy(MODEL, dir.resolve("model.json"));
    byte[] shard = Files.readAllBytes(TestModels.file("tiny-layers/group1-shard1of1.bin"));
    Files.write(
        dir.resolve("group1-shard1of1.bin"), java.util.Arrays.copyOf(shard, shard.length + 8));
    assertThatThrownBy(() -> TfjsLayersModel.read(dir.resolve("model.json")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("8 bytes left over");
  }

  @Test
  void halfFloatsDecodeAsIeee754() {
    assertThat(TfjsLayersModel.halfToFloat((short) 0x3c00)).isEqualTo(1f);
    assertThat(TfjsLayersModel.halfToFloat((short) 0xc000)).isEqualTo(-2f);
    assertThat(TfjsLayersModel.halfToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
    assertThat(TfjsLayersModel.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(TfjsLayersModel.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
  }
}

package atelier.upscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.ModelLoadException;
import atelier.model.SessionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upscaler stage on ONNX graphs exported by torch ({@code tools/upscale/make_test_models.py}):
 * layout, scale and size multiple are found from the graph, and outputs equal torch's.
 */
class UpscalerTest {

  @Test
  void findsTheEvenSizeRuleOfAnX2ModelAndMatchesTorch() {
    try (Upscaler up = Upscaler.open(TestModels.file("tiny-x2-even.onnx"), SessionSettings.CPU)) {
      assertThat(up.scale()).isEqualTo(2);
      assertThat(up.alignment()).isEqualTo(2);
      assertThat(up.fixedSize()).isEmpty();
      assertThat(up.id()).isEqualTo("tiny-x2-even");
      assertThat(up.sha256()).hasSize(64);
      float[] out = up.run(TestModels.floats("tiny-x2-even.input.f32"), 8, 6);
      assertThat(TestModels.maxAbsDifference(out, TestModels.floats("tiny-x2-even.expected.f32")))
          .isLessThan(1e-5f);
      assertThatThrownBy(() -> up.run(new float[3 * 7 * 6], 7, 6))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("multiples of 2")
          .hasMessageContaining("7×6");
    }
  }

  @Test
  void readsAFixedSizeNhwcModel() {
    try (Upscaler up =
        Upscaler.open(TestModels.file("tiny-x4-nhwc-fixed.onnx"), SessionSettings.CPU)) {
      assertThat(up.scale()).isEqualTo(4);
      assertThat(up.fixedSize()).hasValueSatisfying(s -> assertThat(s).containsExactly(16, 16));
      float[] out = up.run(TestModels.floats("tiny-x4-nhwc-fixed.input.f32"), 16, 16);
      assertThat(
              TestModels.maxAbsDifference(
                  out, TestModels.floats("tiny-x4-nhwc-fixed.expected.f32")))
          .isLessThan(1e-5f);
      assertThatThrownBy(() -> up.run(new float[3 * 8 * 8], 8, 8))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("fixed size 16×16");
    }
  }

  @Test
  void aRecordWithAnotherScaleIsRejected(@TempDir Path dir) throws Exception {
    Files.copy(TestModels.file("tiny-x2-even.onnx"), dir.resolve("model.onnx"));
    new UpscalerInfo("wrong", "n", "1", "s", "MIT", "x", 4, 1, 0).write(dir);
    assertThatThrownBy(() -> Upscaler.open(dir, SessionSettings.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("declares scale 4")
        .hasMessageContaining("upscales by 2");
  }

  @Test
  void aMissingGraphIsAModelLoadError(@TempDir Path dir) {
    assertThatThrownBy(() -> Upscaler.open(dir, SessionSettings.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model.onnx");
  }
}

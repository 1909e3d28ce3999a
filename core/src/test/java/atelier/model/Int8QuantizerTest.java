package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.CancelToken;
import atelier.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantiser on both ways weights are stored: inline in the graph (the diffusers script's text
 * encoder) and in an external file with another name ({@code weights.pb}, its UNet). The result
 * loads in ONNX Runtime, has nothing left to quantise, and the sources are unchanged.
 */
class Int8QuantizerTest {
  @TempDir Path tmp;

  @Test
  void quantisesInlineAndExternalWeightsIntoOneNewDataFile() throws Exception {
    Path model = TestPaths.tinyModel("sd15-diffusers");
    for (String stage : List.of("text_encoder", "unet")) {
      Path source = model.resolve(stage).resolve("model.onnx");
      byte[] before = Files.readAllBytes(source);
      Int8Quantizer.Scan scan = Int8Quantizer.scan(source);
      assertThat(scan.alreadyQuantized()).isZero();
      Path target = Files.createDirectories(tmp.resolve(stage)).resolve("model.onnx");
      List<Long> progress = new ArrayList<>();
      Int8Quantizer.Report r =
          Int8Quantizer.quantize(
              source, target, (done, total) -> progress.add(done), CancelToken.NONE);

      assertThat(r.quantized())
          .as(stage)
          .isEqualTo(scan.eligible())
          .isEqualTo(stage.equals("unet") ? 40 : 12);
      assertThat(r.weightBytesAfter()).isLessThan(r.weightBytesBefore() / 3);
      assertThat(progress).isSortedAccordingTo(Long::compare).isNotEmpty();
      Int8Quantizer.Scan after = Int8Quantizer.scan(target);
      assertThat(after.alreadyQuantized()).isEqualTo(r.quantized());
      assertThat(after.eligible()).isZero();
      assertThat(Files.size(target))
          .as("weights moved out of the graph")
          .isLessThan(Files.size(source) + 64 * 1024);
      assertThat(target.resolveSibling("model.onnx_data")).exists();
      try (OnnxModel m = OnnxModel.open(stage, target, SessionSettings.CPU.withGraphCache(null))) {
        assertThat(m).isNotNull();
      }
      assertThat(Files.readAllBytes(source)).isEqualTo(before);
    }
  }
}

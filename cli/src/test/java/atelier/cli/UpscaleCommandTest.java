package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.image.PngText;
import atelier.testing.TestPaths;
import atelier.upscale.UpscalePng;
import atelier.upscale.UpscaleRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier upscale} end to end with the tiny torch-exported ×2 model. */
class UpscaleCommandTest {
  private static final Path MODEL =
      TestPaths.repoRoot().resolve("core/src/test/resources/upscale/tiny-x2-even.onnx");

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void upscalesAndKeepsTheTextChunks(@TempDir Path dir) throws Exception {
    BufferedImage img = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 30; x++) {
        img.setRGB(x, y, (x * 8) << 16 | (y * 12) << 8 | 90);
      }
    }
    Path in = dir.resolve("in.png");
    Files.write(in, PngText.encode(img, Map.of("parameters", "a cat\nSteps: 20, Seed: 1")));

    Run r = run("upscale", in.toString(), "--model", MODEL.toString(), "--scale", "4", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    Path out = Path.of(json.get("file").asText());
    assertThat(out).isEqualTo(dir.resolve("in-x4.png"));
    assertThat(json.at("/record/passes").asInt()).isEqualTo(2);

    BufferedImage result = ImageIO.read(out.toFile());
    assertThat(result.getWidth()).isEqualTo(120);
    assertThat(result.getHeight()).isEqualTo(80);
    Map<String, String> texts = PngText.read(out);
    assertThat(texts.get("parameters")).isEqualTo("a cat\nSteps: 20, Seed: 1");
    List<UpscaleRecord> records = UpscalePng.records(texts);
    assertThat(records).hasSize(1);
    assertThat(records.get(0).model()).isEqualTo("tiny-x2-even");
    assertThat(records.get(0).scale()).isEqualTo(4);
  }

  @Test
  void textOutputNamesTheFileAndTheSizes(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("in.png");
    ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", in.toFile());
    Path out = dir.resolve("big.png");
    Run r = run("upscale", in.toString(), "-m", MODEL.toString(), "-s", "2", "-o", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("wrote " + out + "  (16×16 → 32×32, tiny-x2-even ×2");
    assertThat(Files.exists(out)).isTrue();
  }

  @Test
  void badScalesModelsAndFilesGiveTheirExitCodes(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("in.png");
    ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", in.toFile());

    Run scale = run("upscale", in.toString(), "-m", MODEL.toString(), "-s", "5");
    assertThat(scale.code()).isEqualTo(2);
    assertThat(scale.err()).contains("--scale: expected 2, 3, 4 or 8, found 5");

    Path broken = dir.resolve("broken.onnx");
    Files.writeString(broken, "not a graph");
    Run model = run("upscale", in.toString(), "-m", broken.toString(), "--json");
    assertThat(model.code()).isEqualTo(3);
    assertThat(new ObjectMapper().readTree(model.out()).at("/error/kind").asText())
        .isEqualTo("model_load");

    Run missing = run("upscale", dir.resolve("none.png").toString(), "-m", MODEL.toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("found nothing");
  }
}

package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.image.PngText;
import atelier.testing.TestPaths;
import atelier.upscale.UpscalePng;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate --upscale} and the hires fix, on the tiny SD model and the tiny ×2 upscaler. */
class GenerateUpscaleTest {
  private static final Path UPSCALER =
      TestPaths.repoRoot().resolve("core/src/test/resources/upscale/tiny-x2-even.onnx");

  private static int run(StringWriter out, StringWriter err, String... args) {
    return Main.run(args, new PrintWriter(out), new PrintWriter(err));
  }

  @Test
  void generatesUpscalesAndRepaints(@TempDir Path dir) throws Exception {
    Path model = TestPaths.tinyModels().resolve("sd15-optimum-1.22");
    Assumptions.assumeTrue(Files.isDirectory(model), "tiny model sd15-optimum-1.22 is absent");
    Path out = dir.resolve("hires.png");
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code =
        run(
            o,
            e,
            "generate",
            "a harbour at dawn",
            "-m",
            model.toString(),
            "-W",
            "64",
            "-H",
            "64",
            "--steps",
            "2",
            "--seed",
            "5",
            "--upscale",
            "2",
            "--upscaler",
            UPSCALER.toString(),
            "--hires-strength",
            "0.4",
            "--hires-steps",
            "3",
            "-o",
            out.toString());
    assertThat(code).as(e.toString()).isZero();
    assertThat(o.toString()).contains("wrote " + out + "  (seed 5)");
    BufferedImage img = ImageIO.read(out.toFile());
    assertThat(img.getWidth()).isEqualTo(128);
    Map<String, String> texts = PngText.read(out);
    assertThat(texts.get("parameters"))
        .contains("Seed: 5, Size: 64x64")
        .endsWith(
            "Hires upscale: 2, Hires steps: 3, Hires upscaler: tiny-x2-even,"
                + " Denoising strength: 0.4");
    assertThat(UpscalePng.records(texts)).hasSize(1);
  }

  @Test
  void hiresOptionsWithoutUpscaleAreABadRequest() {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = run(o, e, "generate", "a cat", "--hires-strength", "0.3");
    assertThat(code).isEqualTo(2);
    assertThat(e.toString()).contains("expected --upscale N too");
    code = run(o, e, "generate", "a cat", "--upscale", "5");
    assertThat(code).isEqualTo(2);
    assertThat(e.toString()).contains("--upscale: expected 2, 3, 4 or 8, found 5");
  }
}

package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.HostileFiles;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decompression bombs and other hostile image files, through every command that reads images. */
class HostileFilesTest {
  @TempDir Path dir;

  private static final String PIXELS = "20000×20000 = 400.0 million pixels in the header";
  private static final String TEXT = "inflates to more than 1 MiB; expected at most 1 MiB per text";

  private Path pixelBomb() throws Exception {
    return HostileFiles.pixelBomb(dir.resolve("pixels.png"), 20000, 20000);
  }

  private Path textBomb() throws Exception {
    return HostileFiles.pngWith(
        dir.resolve("text.png"), HostileFiles.zTxtBomb("parameters", 64L << 20));
  }

  private static void refused(CliRun r, Path file, String reason) {
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(file.toString()).contains(reason).doesNotContain("\tat ");
  }

  @Test
  void generateRefusesBombsAndHugeInitFiles() throws Exception {
    String model = TestPaths.tinyModel("sd-turbo-optimum").toString();
    Path out = dir.resolve("out.png");
    Path bomb = pixelBomb();
    refused(
        CliRun.of(
            "generate", "x", "--model", model, "--init", bomb.toString(), "-o", out.toString()),
        bomb,
        PIXELS);
    Path big = HostileFiles.sparse(dir.resolve("big.png"), 3L << 30);
    refused(
        CliRun.of(
            "generate", "x", "--model", model, "--init", big.toString(), "-o", out.toString()),
        big,
        "expected an image file of at most 256 MiB (atelier.image.maxFileBytes), found 3.0 GiB");
    Path text = textBomb();
    refused(CliRun.of("generate", "--from", text.toString(), "-o", out.toString()), text, TEXT);
    assertThat(out).doesNotExist();
  }

  @Test
  void upscaleBasemapAndInfoRefuseBombs() throws Exception {
    Path bomb = pixelBomb();
    Path text = textBomb();
    Path out = dir.resolve("out.png");
    refused(CliRun.of("upscale", bomb.toString(), "-o", out.toString()), bomb, PIXELS);
    refused(CliRun.of("upscale", text.toString(), "-o", out.toString()), text, TEXT);
    Path webp = HostileFiles.webp(dir.resolve("a.webp"));
    refused(
        CliRun.of("upscale", webp.toString(), "-o", out.toString()),
        webp,
        "unsupported image format WebP; expected PNG, JPEG, BMP or GIF");
    refused(
        CliRun.of("basemap", bomb.toString(), "--op", "blur:1", "-o", out.toString()),
        bomb,
        PIXELS);
    refused(
        CliRun.of("basemap", "--canvas", "64,64", "--op", "logo:" + bomb, "-o", out.toString()),
        bomb,
        PIXELS);
    refused(CliRun.of("info", text.toString()), text, TEXT);
    refused(
        CliRun.of("recipe", "run", "landmark", "--input", bomb.toString(), "--dry-run"),
        bomb,
        PIXELS);
    assertThat(out).doesNotExist();
  }

  @Test
  void qualityScoreSkipsBombsWithTheirReasonAndScoresTheRest() throws Exception {
    BufferedImage ok = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        ok.setRGB(x, y, (x * 4 << 16) | (y * 4 << 8) | ((x ^ y) * 4));
      }
    }
    ImageIO.write(ok, "png", dir.resolve("ok.png").toFile());
    Path bomb = pixelBomb();
    Path text = textBomb();
    CliRun r = CliRun.of("quality", "score", dir.toString(), "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertThat(root.toString()).contains(dir.resolve("ok.png").toString());
    assertThat(root.get("skipped").toString())
        .contains(bomb.toString(), "400.0 million pixels")
        .contains(text.toString(), "inflates to more than 1 MiB");
    CliRun plain = CliRun.of("quality", "score", dir.toString());
    assertThat(plain.exitCode()).isZero();
    assertThat(plain.out() + plain.err()).contains("ok.png").contains("400.0 million pixels");
    assertThat(Files.exists(dir.resolve("ok.png"))).isTrue();
  }
}

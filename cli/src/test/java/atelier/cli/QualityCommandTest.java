package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QualityCommandTest {
  @TempDir Path dir;

  private int run(StringWriter out, StringWriter err, String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private static BufferedImage pattern(int seed) {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        int v = (int) (128 + 100 * Math.sin((x + seed * 7) / 5.0) * Math.cos((y - seed) / 7.0));
        img.setRGB(x, y, (v << 16) | ((255 - v) << 8) | (x * 4));
      }
    }
    return img;
  }

  @Test
  void scoresRanksReportsBadFilesAndDrawsASheet() throws Exception {
    ImageIO.write(pattern(1), "png", dir.resolve("a.png").toFile());
    ImageIO.write(
        new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB),
        "png",
        dir.resolve("black.png").toFile());
    Files.writeString(dir.resolve("broken.png"), "not an image");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path sheet = dir.resolve("out/sheet.png");
    int code =
        run(out, err, "quality", "score", dir.toString(), "--json", "--sheet", sheet.toString());
    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("\"ranked_by\":\"quality:default\"")
        .contains("black frame")
        .contains("broken.png")
        .contains("\"rank\":1,\"id\":\"" + dir.resolve("a.png") + "\"");
    assertThat(ImageIO.read(sheet.toFile()).getWidth()).isGreaterThan(64);
  }

  @Test
  void unknownScorerAndEmptyClassFolderAreBadRequests() throws Exception {
    ImageIO.write(pattern(1), "png", dir.resolve("a.png").toFile());
    StringWriter err = new StringWriter();
    assertThat(
            run(new StringWriter(), err, "quality", "score", dir.toString(), "--scorers", "sharp"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "scorer: expected one of technical, brisque, clip, aesthetic or quality:NAME, found 'sharp'");
    Path data = dir.resolve("data");
    for (String c : new String[] {"good", "average", "poor"}) {
      Files.createDirectories(data.resolve(c));
    }
    err = new StringWriter();
    assertThat(run(new StringWriter(), err, "quality", "train", "--data", data.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("class folder good/ is empty");
  }

  @Test
  void generateRejectsKeepWithoutCandidates() {
    StringWriter err = new StringWriter();
    assertThat(run(new StringWriter(), err, "generate", "a cat", "--keep", "2")).isEqualTo(2);
    assertThat(err.toString()).contains("expected --candidates N with them");
  }
}

package atelier.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.testing.HostileFiles;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngTextTest {

  @Test
  void latinTextGoesToTextChunksAndUnicodeToInternationalChunks(@TempDir Path dir)
      throws Exception {
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("parameters", "a cat\nSteps: 20, Sampler: Euler a");
    texts.put("atelier", "{\"prompt\":\"富士山, café 🎨\"}");
    byte[] png = PngText.encode(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), texts);
    String raw = new String(png, StandardCharsets.ISO_8859_1);
    assertThat(raw).contains("tEXtparameters\0a cat");
    assertThat(raw).contains("iTXtatelier");
    Path f = dir.resolve("x.png");
    Files.write(f, png);
    assertThat(PngText.read(f)).isEqualTo(texts);
  }

  @Test
  void textChunksThatInflateBeyondTheCapAreRefusedWithoutInflatingThem(@TempDir Path dir)
      throws Exception {
    Path z =
        HostileFiles.pngWith(dir.resolve("z.png"), HostileFiles.zTxtBomb("parameters", 64L << 20));
    assertThat(Files.size(z)).isLessThan(200_000);
    assertThatThrownBy(() -> PngText.read(z))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith(
            z + ": text chunk zTXt 'parameters' at byte 33 inflates to more than 1 MiB;")
        .hasMessageContaining(
            "expected at most 1 MiB per text chunk (atelier.image.maxTextBytes;"
                + " A1111 parameters are a few kilobytes)");
    Path i =
        HostileFiles.pngWith(dir.resolve("i.png"), HostileFiles.iTxtBomb("atelier", 64L << 20));
    assertThatThrownBy(() -> PngText.read(i))
        .hasMessageContaining("text chunk iTXt 'atelier' at byte 33 inflates to more than 1 MiB");
    ImageLimits limits = new ImageLimits(1 << 20, 1 << 20, 1000);
    Path many =
        HostileFiles.pngWith(
            dir.resolve("many.png"),
            HostileFiles.tEXt("a", "x".repeat(900), false),
            HostileFiles.tEXt("b", "x".repeat(900), false),
            HostileFiles.tEXt("c", "x".repeat(900), false),
            HostileFiles.tEXt("d", "x".repeat(900), false),
            HostileFiles.tEXt("e", "x".repeat(900), false));
    assertThatThrownBy(() -> PngText.read(many, limits))
        .hasMessageContaining("expected at most 3.9 KiB of text in all chunks together")
        .hasMessageContaining("'e'");
  }

  @Test
  void compressedChunksWithinTheCapAreRead(@TempDir Path dir) throws Exception {
    Path z = HostileFiles.pngWith(dir.resolve("z.png"), HostileFiles.zTxtBomb("zeros", 1000));
    assertThat(PngText.read(z)).containsEntry("zeros", "\0".repeat(1000));
  }

  @Test
  void aTextChunkWithAWrongCrcIsRefusedByName(@TempDir Path dir) throws Exception {
    Path bad =
        HostileFiles.pngWith(
            dir.resolve("bad.png"), HostileFiles.tEXt("parameters", "a cat", true));
    assertThatThrownBy(() -> PngText.read(bad))
        .isInstanceOf(BadRequestException.class)
        .hasMessageMatching(
            java.util.regex.Pattern.quote(bad.toString())
                + ": text chunk tEXt at byte 33 is damaged: expected CRC [0-9a-f]{8}, found [0-9a-f]{8}");
    Path good =
        HostileFiles.pngWith(
            dir.resolve("good.png"), HostileFiles.tEXt("parameters", "a cat", false));
    assertThat(PngText.read(good)).isEqualTo(Map.of("parameters", "a cat"));
  }

  @Test
  void aFileThatIsNotAPngIsNamed(@TempDir Path dir) throws Exception {
    Path webp = HostileFiles.webp(dir.resolve("a.png"));
    assertThatThrownBy(() -> PngText.read(webp))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(webp + ": expected a PNG file, found a WebP image");
    Path cut = dir.resolve("cut.png");
    byte[] whole = Files.readAllBytes(HostileFiles.pngWith(dir.resolve("w.png")));
    Files.write(cut, java.util.Arrays.copyOf(whole, 40));
    assertThatThrownBy(() -> PngText.read(cut)).hasMessageContaining("found a file cut short");
  }
}

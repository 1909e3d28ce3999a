package atelier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.image.PngText;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One text chunk rewritten in place, checked by core's CRC-checking chunk reader. */
class PngChunksTest {
  @TempDir Path dir;

  @Test
  void aTextChunkIsReplacedInPlaceWithAValidCrcAndTheRestKept() throws Exception {
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    img.setRGB(1, 1, 0x123456);
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("parameters", "a tower\nSteps: 2");
    texts.put("atelier", "{\"model\":{\"path\":\"/srv/models/x\"}}");
    texts.put("after", "kept");
    byte[] png = PngText.encode(img, texts);
    byte[] out = PngChunks.replaceText(png, "atelier", "{\"model\":{\"path\":\"x\"}} — ü");
    Path file = Files.write(dir.resolve("out.png"), out);
    Map<String, String> read = PngText.read(file);
    assertThat(read)
        .containsExactly(
            Map.entry("parameters", "a tower\nSteps: 2"),
            Map.entry("atelier", "{\"model\":{\"path\":\"x\"}} — ü"),
            Map.entry("after", "kept"));
    assertThat(ImageIO.read(file.toFile()).getRGB(1, 1) & 0xffffff).isEqualTo(0x123456);
    assertThat(PngChunks.replaceText(png, "missing", "x")).isSameAs(png);
    assertThatThrownBy(() -> PngChunks.replaceText(new byte[] {1, 2, 3}, "a", "b"))
        .hasMessage("expected a PNG file, found other bytes");
  }
}

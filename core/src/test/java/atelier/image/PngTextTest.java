package atelier.image;

import static org.assertj.core.api.Assertions.assertThat;

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
}

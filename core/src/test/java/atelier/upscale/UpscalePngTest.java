package atelier.upscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.image.PngText;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output PNGs keep the input's text chunks and add one record per upscale. */
class UpscalePngTest {

  @Test
  void keepsTheInputChunksAndAppendsEachUpscale(@TempDir Path dir) throws Exception {
    Map<String, String> original = new LinkedHashMap<>();
    original.put("parameters", "a cat\nSteps: 20, Sampler: Euler, Seed: 7, Size: 64x64");
    original.put("atelier", "{\"software\": \"atelier 0.1\"}");
    original.put("Comment", "café ☕"); // not Latin-1: an iTXt chunk
    Path in = dir.resolve("in.png");
    Files.write(in, PngText.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), original));

    UpscalePng.Input read = UpscalePng.read(in);
    assertThat(read.texts()).isEqualTo(original);
    UpscaleRecord first = record("esrgan-slim-x2", 2, 8);
    Path once = dir.resolve("once.png");
    UpscalePng.write(
        new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB),
        UpscalePng.texts(read.texts(), first),
        once);

    Map<String, String> t1 = PngText.read(once);
    assertThat(t1).containsAllEntriesOf(original);
    assertThat(t1.get(UpscalePng.POSTPROCESSING))
        .isEqualTo("Postprocess upscale by: 2, Postprocess upscaler: esrgan-slim-x2");
    assertThat(UpscalePng.records(t1)).containsExactly(first);

    UpscaleRecord second = record("esrgan-thick-x4", 4, 16);
    Map<String, String> t2 = UpscalePng.texts(UpscalePng.read(once).texts(), second);
    assertThat(UpscalePng.records(t2)).containsExactly(first, second);
    assertThat(t2.get(UpscalePng.POSTPROCESSING)).endsWith("Postprocess upscaler: esrgan-thick-x4");
    assertThat(t2.get("Comment")).isEqualTo("café ☕");
  }

  @Test
  void aJpegHasNoChunksAndAMissingFileIsABadRequest(@TempDir Path dir) throws Exception {
    Path jpg = dir.resolve("a.jpg");
    javax.imageio.ImageIO.write(
        new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "jpg", jpg.toFile());
    assertThat(UpscalePng.read(jpg).texts()).isEmpty();
    assertThatThrownBy(() -> UpscalePng.read(dir.resolve("none.png")))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("found nothing");
    Files.writeString(dir.resolve("text.png"), "not an image");
    assertThatThrownBy(() -> UpscalePng.read(dir.resolve("text.png")))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("unreadable");
  }

  private static UpscaleRecord record(String model, int scale, int inputSide) {
    return new UpscaleRecord(
        "atelier test",
        model,
        "",
        scale,
        scale,
        1,
        0,
        16,
        null,
        inputSide,
        inputSide,
        inputSide * scale,
        inputSide * scale,
        5);
  }

  @Test
  void aRecordWhoseSizesDisagreeIsRejected() {
    assertThatThrownBy(
            () -> new UpscaleRecord("s", "m", "", 2, 2, 1, 0, 16, null, 10, 10, 21, 20, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10×10 → 21×20");
  }
}

package atelier.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.testing.HostileFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageInputTest {

  @Test
  void greyImagesKeepTheirStoredLevelsAsPillowReadsThem(@TempDir Path dir) throws Exception {
    // Java's grey colour space is linear: getRGB on a decoded grey PNG turns a stored 100 into 168.
    BufferedImage grey8 = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey8.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 100, 255});
    Path p8 = dir.resolve("grey8.png");
    ImageIO.write(grey8, "png", p8.toFile());
    BufferedImage grey16 = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
    grey16.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 100 * 257, 65535});
    Path p16 = dir.resolve("grey16.png");
    ImageIO.write(grey16, "png", p16.toFile());
    Path jpg = dir.resolve("grey.jpg");
    BufferedImage flat = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        flat.getRaster().setSample(x, y, 0, 100);
      }
    }
    ImageIO.write(flat, "jpg", jpg.toFile());
    for (Path p : new Path[] {p8, p16}) {
      BufferedImage img = ImageInput.read("init", p);
      assertThat(new int[] {img.getRGB(0, 0), img.getRGB(1, 0), img.getRGB(2, 0)})
          .as(p.getFileName().toString())
          .containsExactly(0xff000000, 0xff646464, 0xffffffff);
    }
    assertThat(ImageInput.read("init", jpg).getRGB(4, 4) & 0xff).isBetween(99, 101);
  }

  @Test
  void aPngDeclaringTooManyPixelsIsRefusedFromItsHeader(@TempDir Path dir) throws Exception {
    Path bomb = HostileFiles.pixelBomb(dir.resolve("bomb.png"), 20000, 20000);
    assertThat(Files.size(bomb)).isLessThan(10_000);
    assertThatThrownBy(() -> ImageInput.read("init image", bomb))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("init image " + bomb + ": ")
        .hasMessageContaining("20000×20000 = 400.0 million pixels")
        .hasMessageContaining("at most 67.1 million pixels (atelier.image.maxPixels");
  }

  @Test
  void thePixelLimitIsConfigurable(@TempDir Path dir) throws Exception {
    Path png = HostileFiles.pngWith(dir.resolve("small.png"));
    ImageLimits tight = new ImageLimits(1 << 20, 63, 1 << 10);
    assertThatThrownBy(() -> ImageInput.readWithBytes(null, png, tight))
        .hasMessageContaining("8×8 = 64 pixels");
    assertThat(ImageInput.readWithBytes(null, png, new ImageLimits(1 << 20, 64, 1 << 10)).image())
        .extracting(BufferedImage::getWidth)
        .isEqualTo(8);
    String old = System.getProperty("atelier.image.maxPixels");
    System.setProperty("atelier.image.maxPixels", "63");
    try {
      assertThat(ImageLimits.current().maxPixels()).isEqualTo(63);
      assertThatThrownBy(() -> ImageInput.read("x", png)).hasMessageContaining("at most 63 pixels");
    } finally {
      if (old == null) {
        System.clearProperty("atelier.image.maxPixels");
      } else {
        System.setProperty("atelier.image.maxPixels", old);
      }
    }
  }

  @Test
  void aHugeFileIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
    Path big = HostileFiles.sparse(dir.resolve("big.png"), 3L << 30);
    assertThatThrownBy(() -> ImageInput.read("init image", big))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining(big.toString())
        .hasMessageContaining("at most 256 MiB (atelier.image.maxFileBytes), found 3.0 GiB");
    assertThatThrownBy(() -> PngText.read(big))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("found 3.0 GiB");
  }

  @Test
  void aMissingFileIsNamedWithItsRole(@TempDir Path dir) {
    Path missing = dir.resolve("logo.png");
    assertThatThrownBy(() -> ImageInput.read("basemap logo:", missing))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("basemap logo: expected an image file at " + missing + ", found nothing");
  }

  @Test
  void formatsImageIoCannotReadAreNamed(@TempDir Path dir) throws Exception {
    Path webp = HostileFiles.webp(dir.resolve("a.webp"));
    assertThatThrownBy(() -> ImageInput.read("image", webp))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "image "
                + webp
                + ": unsupported image format WebP; expected PNG, JPEG, BMP or GIF"
                + " (convert it first)");
    Path avif =
        Files.write(dir.resolve("a.avif"), "\0\0\0\u001cftypavif\0\0\0\0".getBytes("ISO-8859-1"));
    assertThatThrownBy(() -> ImageInput.read("image", avif))
        .hasMessageContaining("unsupported image format AVIF");
    Path text = Files.writeString(dir.resolve("a.png"), "hello");
    assertThatThrownBy(() -> ImageInput.read("image", text))
        .hasMessageContaining(
            "expected a PNG, JPEG, BMP or GIF image, found an unreadable file of no known image format");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cmyk", "ycck"})
  void cmykAndYcckJpegsGetPillowsColours(String name) throws Exception {
    Path jpg = Path.of("src/test/resources/image/" + name + ".jpg");
    JsonNode expected =
        new ObjectMapper()
            .readTree(Path.of("src/test/resources/image/" + name + "-expected.json").toFile());
    BufferedImage img = ImageInput.read("image", jpg);
    int w = expected.get("width").asInt();
    assertThat(img.getWidth()).isEqualTo(w);
    assertThat(img.getHeight()).isEqualTo(expected.get("height").asInt());
    int worst = 0;
    for (int i = 0; i < expected.get("rgb").size(); i++) {
      JsonNode p = expected.get("rgb").get(i);
      int rgb = img.getRGB(i % w, i / w);
      worst = Math.max(worst, Math.abs(((rgb >> 16) & 0xff) - p.get(0).asInt()));
      worst = Math.max(worst, Math.abs(((rgb >> 8) & 0xff) - p.get(1).asInt()));
      worst = Math.max(worst, Math.abs((rgb & 0xff) - p.get(2).asInt()));
    }
    assertThat(worst).as("largest difference from Pillow, in levels").isLessThanOrEqualTo(1);
  }

  @Test
  void ycckToCmyFollowsLibjpeg() {
    // grey (Y=128, no chroma) stores 255 − 128 in each of C, M and Y
    assertThat(Cmyk.ycckToCmy(128, 128, 128)).containsExactly(127, 127, 127);
    // pure chroma: libjpeg's tables, R = Y + 1.402 (Cr − 128) = 128 + 178 → clipped
    assertThat(Cmyk.ycckToCmy(128, 128, 255)).containsExactly(0, 218, 127);
  }

  @Test
  void imageIoNeverCachesOnDisk() {
    // ImageIO's default is a disk cache (imageio*.tmp in the temporary folder, left behind by
    // kill -9); the readers and writers of atelier.image turn it off when first used.
    PngText.encode(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), Map.of());
    assertThat(ImageIO.getUseCache()).isFalse();
  }
}

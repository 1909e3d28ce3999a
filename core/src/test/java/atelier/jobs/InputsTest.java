package atelier.jobs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.testing.HostileFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basemaps of jobs are read under the image limits, as the CLI reads them. */
class InputsTest {
  @TempDir Path dir;

  @Test
  void aHugeBasemapFileIsRefusedBeforeItIsRead() throws Exception {
    Path big = HostileFiles.sparse(dir.resolve("big.png"), 3L << 30);
    assertThatThrownBy(() -> Inputs.readInit(big, null))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "init image "
                + big
                + ": expected an image file of at most 256 MiB (atelier.image.maxFileBytes),"
                + " found 3.0 GiB");
  }

  @Test
  void aPixelBombIsRefusedFromItsHeaderAsAFileAndAsAnUpload() throws Exception {
    Path bomb = HostileFiles.pixelBomb(dir.resolve("bomb.png"), 20000, 20000);
    assertThatThrownBy(() -> Inputs.readInit(bomb, null))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("init image " + bomb + ": ")
        .hasMessageContaining("20000×20000 = 400.0 million pixels in the header");
    byte[] bytes = Files.readAllBytes(bomb);
    assertThatThrownBy(() -> Inputs.decodeInit(bytes, "uploaded basemap", null))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("init image uploaded basemap: ")
        .hasMessageContaining("400.0 million pixels");
  }
}

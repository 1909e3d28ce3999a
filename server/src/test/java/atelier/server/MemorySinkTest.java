package atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.jobs.OutputImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The executor's in-memory sink: images and side files never touch the disk. */
class MemorySinkTest {
  @Test
  void imagesAndSideFilesStayInMemoryUnderNamesThatAreNoFiles() throws Exception {
    try (MemorySink sink = new MemorySink()) {
      Path a = sink.image(new OutputImage(new byte[] {1, 2}, 1, 1, 42L, null));
      Path b = sink.image(new OutputImage(new byte[] {3}, 1, 1, null, "photo-x2"));
      Path c = sink.file("selection-42.json", new byte[] {4});
      assertThat(a.getFileName().toString()).isEqualTo("00001-42.png");
      assertThat(b.getFileName().toString()).isEqualTo("00002-photo-x2.png");
      assertThat(c.getFileName().toString()).isEqualTo("00003-selection-42.json");
      for (Path p : new Path[] {a, b, c}) {
        assertThat(Files.exists(p)).isFalse();
      }
      assertThat(sink.bytes(a)).containsExactly(1, 2);
      assertThat(sink.bytes(c)).containsExactly(4);
      assertThat(sink.usedFolder()).isFalse();
    }
  }

  @Test
  void theFolderForRecipesIsMadeOnFirstUseAndRemovedOnClose() throws Exception {
    Path folder;
    try (MemorySink sink = new MemorySink()) {
      folder = sink.folder();
      Files.write(folder.resolve("x.png"), new byte[] {9});
      assertThat(sink.bytes(folder.resolve("x.png"))).containsExactly(9);
    }
    assertThat(folder).doesNotExist();
  }
}

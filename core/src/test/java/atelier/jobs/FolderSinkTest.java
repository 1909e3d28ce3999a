package atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files sink: numbered names claimed atomically, never overwriting; one exact file. */
class FolderSinkTest {
  private static OutputImage image(long seed, int marker) {
    return new OutputImage(new byte[] {(byte) marker}, 1, 1, seed, null);
  }

  @Test
  void numberedNamesContinueAfterTheHighestAndNeverOverwrite(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("00007-1.png"), "old");
    Files.writeString(dir.resolve("99999-7.png"), "old");
    OutputSink sink = OutputSink.folder(dir);
    assertThat(sink.image(image(5, 1)).getFileName().toString()).isEqualTo("100000-5.png");
    assertThat(sink.image(image(5, 2)).getFileName().toString()).isEqualTo("100001-5.png");
    assertThat(Files.readString(dir.resolve("99999-7.png"))).isEqualTo("old");
  }

  @Test
  void twoWritersIntoOneFolderKeepEveryImage(@TempDir Path dir) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> written = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        OutputSink own = OutputSink.folder(dir); // one sink per run, as two processes would have
        int marker = i;
        written.add(pool.submit(() -> own.image(image(3, marker))));
      }
      for (Future<Path> f : written) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> files = s.toList();
      assertThat(files).hasSize(16);
      assertThat(files.stream().map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.endsWith(".part"));
    }
  }

  @Test
  void aFileSinkTakesOneImageAndPutsSideFilesBesideIt(@TempDir Path dir) throws Exception {
    OutputSink sink = OutputSink.file(dir.resolve("out.png"));
    assertThat(sink.image(image(1, 1))).isEqualTo(dir.resolve("out.png"));
    assertThatThrownBy(() -> sink.image(image(2, 2)))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("--out: a .png file takes one image, found more; give a folder instead");
    assertThat(sink.file("selection-1.json", new byte[] {'{', '}'}))
        .isEqualTo(dir.resolve("selection-1.json"));
    assertThat(sink.folder()).isEqualTo(dir);
  }

  @Test
  void sideFilesNeverReplaceAnEarlierRunsFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("selection-1.json"), "old");
    OutputSink sink = OutputSink.folder(dir);
    assertThat(sink.file("selection-1.json", new byte[] {'{', '}'}))
        .isEqualTo(dir.resolve("selection-1-2.json"));
    assertThat(Files.readString(dir.resolve("selection-1.json"))).isEqualTo("old");
  }

  @Test
  void aFolderSinkBehindAFileIsABadRequestNamingIt(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("taken"), "x");
    assertThatThrownBy(() -> OutputSink.folder(dir.resolve("taken").resolve("out")))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("found a file");
  }
}

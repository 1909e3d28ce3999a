package atelier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  /** A writer that fails part-way through, as a full disk does. */
  static final AtomicFiles.Content DISK_FULL =
      out -> {
        out.write(new byte[4096]);
        throw new IOException("No space left on device");
      };

  @Test
  void aFailedWriteLeavesNoPartFileAndTheOldFileUnchanged(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("a.png");
    Files.writeString(file, "old");
    assertThatThrownBy(() -> AtomicFiles.write(file, DISK_FULL))
        .isInstanceOf(IOException.class)
        .hasMessage("No space left on device");
    assertThat(Files.readString(file)).isEqualTo("old");
    assertThat(names(dir)).containsExactly("a.png");

    Path fresh = dir.resolve("b.png");
    assertThatThrownBy(() -> AtomicFiles.writeNew(fresh, DISK_FULL))
        .hasMessage("No space left on device");
    assertThat(names(dir)).containsExactly("a.png");
  }

  @Test
  void writeNewNeverReplacesAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("a.png");
    AtomicFiles.writeNew(file, out -> out.write("first".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(
            () ->
                AtomicFiles.writeNew(file, out -> out.write("x".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(file)).isEqualTo("first");
    assertThat(names(dir)).containsExactly("a.png");
  }

  static java.util.List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}

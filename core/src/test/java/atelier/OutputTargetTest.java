package atelier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputTargetTest {

  private static AtomicFiles.Content text(String s) {
    return out -> out.write(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void numbersFollowTheHighestAndGoOnPast99999(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("99999-7.png"), "old");
    OutputTarget t = OutputTarget.folder(dir);
    assertThat(t.write(1, text("a")).getFileName().toString()).isEqualTo("100000-1.png");
    assertThat(t.write(1, text("b")).getFileName().toString()).isEqualTo("100001-1.png");
    assertThat(Files.readString(dir.resolve("100000-1.png"))).isEqualTo("a");
    assertThat(Files.readString(dir.resolve("99999-7.png"))).isEqualTo("old");
  }

  @Test
  void concurrentWritersIntoOneFolderLoseNothingAndShareNoNumber(@TempDir Path dir)
      throws Exception {
    int threads = 6;
    int each = 10;
    OutputTarget t = OutputTarget.folder(dir.resolve("out"));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Path>>> futures = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      int writer = w;
      Callable<List<Path>> job =
          () -> {
            start.await();
            List<Path> mine = new ArrayList<>();
            for (int i = 0; i < each; i++) {
              // Half the writers share a seed, so their names collide as well as their numbers.
              mine.add(t.write(writer % 2, text(writer + "/" + i)));
            }
            return mine;
          };
      futures.add(pool.submit(job));
    }
    start.countDown();
    List<Path> all = new ArrayList<>();
    for (Future<List<Path>> f : futures) {
      all.addAll(f.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertThat(new HashSet<>(all)).hasSize(threads * each);
    Set<String> contents = new HashSet<>();
    Set<String> numbers = new HashSet<>();
    for (Path p : all) {
      contents.add(Files.readString(p));
      numbers.add(p.getFileName().toString().split("-")[0]);
    }
    assertThat(contents).hasSize(threads * each);
    assertThat(numbers).hasSize(threads * each);
    assertThat(AtomicFilesTest.names(dir.resolve("out"))).hasSize(threads * each);
  }

  @Test
  void twoProcessesWritingIntoOneFolderLoseNothing(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      processes.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  OutputTargetTest.class.getName() + "$Writer",
                  out.toString(),
                  "p" + i,
                  "10")
              .redirectErrorStream(true)
              .start());
    }
    for (Process p : processes) {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }
    List<String> names = AtomicFilesTest.names(out);
    assertThat(names).hasSize(20);
    Set<String> contents = new HashSet<>();
    for (String n : names) {
      contents.add(Files.readString(out.resolve(n)));
    }
    assertThat(contents).hasSize(20);
  }

  /** The second process of {@link #twoProcessesWritingIntoOneFolderLoseNothing}. */
  public static final class Writer {
    public static void main(String[] args) {
      OutputTarget t = OutputTarget.folder(Path.of(args[0]));
      for (int i = 0; i < Integer.parseInt(args[2]); i++) {
        t.write(5, text(args[1] + "/" + i));
      }
    }
  }

  @Test
  void namedOutputsTakeTheNextFreeSuffixInsteadOfReplacing(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cat-y1-x1.png");
    assertThat(OutputTarget.writeUnique(file, text("first"))).isEqualTo(file);
    assertThat(OutputTarget.writeUnique(file, text("second")))
        .isEqualTo(dir.resolve("cat-y1-x1-2.png"));
    assertThat(OutputTarget.writeUnique(file, text("third")))
        .isEqualTo(dir.resolve("cat-y1-x1-3.png"));
    assertThat(Files.readString(file)).isEqualTo("first");
    assertThat(Files.readString(dir.resolve("cat-y1-x1-2.png"))).isEqualTo("second");
    assertThatThrownBy(() -> OutputTarget.writeUnique(file, AtomicFilesTest.DISK_FULL))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("writing " + file + " failed: No space left on device");
    assertThat(AtomicFilesTest.names(dir)).hasSize(3);
  }

  @Test
  void anExactFileIsNeverOverwrittenUnlessAsked(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("a.png");
    Files.writeString(file, "old");
    assertThatThrownBy(() -> OutputTarget.file(file, false))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("output " + file)
        .hasMessageContaining("found an existing one (pass --overwrite to replace it)");
    OutputTarget.file(file, true).write(1, text("new"));
    assertThat(Files.readString(file)).isEqualTo("new");

    Path later = dir.resolve("b.png");
    OutputTarget t = OutputTarget.file(later, false);
    Files.writeString(later, "appeared meanwhile");
    assertThatThrownBy(() -> t.write(1, text("x"))).isInstanceOf(BadRequestException.class);
    assertThat(Files.readString(later)).isEqualTo("appeared meanwhile");
  }

  @Test
  void aFileInTheWayOfTheFolderIsABadRequest(@TempDir Path dir) throws Exception {
    Path blocker = dir.resolve("notes.txt");
    Files.writeString(blocker, "x");
    assertThatThrownBy(() -> OutputTarget.folder(blocker.resolve("images")))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "output "
                + blocker.resolve("images")
                + ": expected a folder at "
                + blocker
                + ", found a file (it cannot hold the output)");
    assertThatThrownBy(() -> OutputTarget.file(blocker.resolve("a.png"), false))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected a folder at " + blocker);
  }

  @Test
  void aFullDiskNamesThePathAndTheReasonAndLeavesNothing(@TempDir Path dir) throws Exception {
    OutputTarget folder = OutputTarget.folder(dir);
    assertThatThrownBy(() -> folder.write(3, AtomicFilesTest.DISK_FULL))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("writing " + dir + " failed: No space left on device");
    Path file = dir.resolve("x.png");
    assertThatThrownBy(() -> OutputTarget.file(file, false).write(3, AtomicFilesTest.DISK_FULL))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("writing " + file + " failed: No space left on device");
    assertThat(AtomicFilesTest.names(dir)).isEmpty();
  }

  @Test
  void aNameTooLongIsReportedWithTheSystemsReason(@TempDir Path dir) {
    Path file = dir.resolve("x".repeat(300) + ".png");
    assertThatThrownBy(() -> OutputTarget.file(file, false).write(1, text("a")))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("writing " + file + " failed: File name too long");
  }
}

package atelier.server;

import atelier.jobs.OutputImage;
import atelier.jobs.OutputSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An {@link OutputSink} that keeps a job's images and side files in memory, for the executor to
 * hand to its worker (which alone writes files, under final names). Each is filed under a made-up
 * name that is never a real file ({@code memory:/00001-SEED.png}); {@link #bytes} finds it again.
 * Recipe runs and sweeps write files themselves, so {@link #folder()} makes a private temporary
 * folder on first use, which {@link #close()} removes.
 *
 * <p>Used by one job on its working thread; not thread-safe beyond that.
 */
final class MemorySink implements OutputSink, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(MemorySink.class.getName());
  private static final Path ROOT = Path.of("memory:");

  private final Map<Path, byte[]> files = new LinkedHashMap<>();
  private Path folder;

  @Override
  public Path image(OutputImage image) {
    String name =
        image.seed() != null
            ? String.format(Locale.ROOT, "%05d-%d.png", files.size() + 1, image.seed())
            : String.format(
                Locale.ROOT,
                "%05d-%s.png",
                files.size() + 1,
                image.name() == null ? "image" : image.name());
    Path p = ROOT.resolve(name);
    files.put(p, image.png());
    return p;
  }

  @Override
  public Path file(String name, byte[] bytes) {
    Path p = ROOT.resolve(String.format(Locale.ROOT, "%05d-%s", files.size() + 1, name));
    files.put(p, bytes.clone());
    return p;
  }

  @Override
  public Path folder() {
    if (folder == null) {
      try {
        folder = Files.createTempDirectory("atelier-job-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot make a temporary folder for a job", e);
      }
    }
    return folder;
  }

  /**
   * The bytes of a file the job made: one this sink holds, else (a recipe's or sweep's own file)
   * read from its folder.
   */
  byte[] bytes(Path file) throws IOException {
    byte[] b = files.get(file);
    return b != null ? b : Files.readAllBytes(file);
  }

  /** Whether any file went to disk (recipes and sweeps): for tests. */
  boolean usedFolder() {
    return folder != null;
  }

  /** Removes the temporary folder, if one was made. */
  @Override
  public void close() {
    if (folder == null) {
      return;
    }
    try (var s = Files.walk(folder)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      // The outcome is already in memory; a leftover temporary folder only costs disk space.
      LOG.log(System.Logger.Level.WARNING, "cannot remove " + folder + ": " + e);
    }
  }
}

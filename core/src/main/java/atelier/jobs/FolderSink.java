package atelier.jobs;

import atelier.AtomicFiles;
import atelier.BadRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The files sink: numbered names in a folder, or one exact file. Names are claimed atomically (a
 * hard link from a finished part file, which fails if the name exists), so two runs writing into
 * one folder never overwrite each other and nobody sees half an image. Thread-safe.
 */
final class FolderSink implements OutputSink {
  private final Path dir;
  private final Path file;
  private boolean fileUsed;

  FolderSink(Path dir, Path file) {
    this.dir = dir;
    this.file = file;
  }

  @Override
  public synchronized Path image(OutputImage image) {
    try {
      if (file != null) {
        if (fileUsed) {
          throw new BadRequestException(
              "--out: a .png file takes one image, found more; give a folder instead");
        }
        fileUsed = true;
        AtomicFiles.write(file, image.png());
        return file;
      }
      Files.createDirectories(dir);
      if (image.seed() == null) {
        String stem = image.name() == null ? "image" : image.name();
        for (int k = 1; ; k++) {
          Path target = dir.resolve(k == 1 ? stem + ".png" : stem + "-" + k + ".png");
          if (claim(target, image.png())) {
            return target;
          }
        }
      }
      for (int n = next(dir); ; n++) {
        Path target = dir.resolve(String.format(Locale.ROOT, "%05d-%d.png", n, image.seed()));
        if (claim(target, image.png())) {
          return target;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "writing the image into " + (file != null ? file : dir) + " failed: " + e.getMessage(),
          e);
    }
  }

  @Override
  public Path file(String name, byte[] bytes) {
    Path target = dir.resolve(name);
    try {
      AtomicFiles.write(target, bytes);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + target + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Path folder() {
    return dir;
  }

  /** Writes {@code bytes} under {@code target} unless that name exists; false if it does. */
  static boolean claim(Path target, byte[] bytes) throws IOException {
    Path part =
        target.resolveSibling(
            "."
                + target.getFileName()
                + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".part");
    Files.write(part, bytes, java.nio.file.StandardOpenOption.CREATE_NEW);
    try {
      try {
        Files.createLink(target, part);
      } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
        if (e instanceof FileAlreadyExistsException) {
          return false;
        }
        // No hard links here: a move that refuses to replace is the best this file system offers.
        Files.move(part, target);
      }
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /** One more than the highest 5-digit number in the folder's {@code NNNNN-…} names. */
  static int next(Path dir) throws IOException {
    int max = 0;
    try (var s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        int dash = n.indexOf('-');
        if (dash >= 5 && n.substring(0, dash).chars().allMatch(Character::isDigit)) {
          try {
            max = Math.max(max, Integer.parseInt(n.substring(0, dash)));
          } catch (NumberFormatException e) {
            // more digits than an int: not one of our names
          }
        }
      }
    }
    return max + 1;
  }
}

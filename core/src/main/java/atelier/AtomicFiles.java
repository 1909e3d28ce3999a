package atelier;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that a reader never sees half of one: the bytes go to a hidden {@code .part}
 * sibling, which is then renamed over the target (or, for {@link #writeNew}, linked to a name that
 * must not exist yet). The part file is created like any new file (the process's umask decides its
 * permissions), unlike {@code Files.createTempFile}, whose owner-only permissions would carry over
 * to the user's images and settings; it is removed whatever happens, a failed write included (a
 * full disk). Stateless.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** What to write: bytes streamed to the part file. */
  @FunctionalInterface
  public interface Content {
    /** Writes the whole content to {@code out} (closed by the caller). */
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes {@code bytes} to {@code file} atomically, creating its folder if needed. */
  public static void write(Path file, byte[] bytes) throws IOException {
    write(file, out -> out.write(bytes));
  }

  /** Writes {@code content} to {@code file} atomically, replacing it, creating its folder. */
  public static void write(Path file, Content content) throws IOException {
    Path target = file.toAbsolutePath();
    Path part = writePart(target, content);
    try {
      try {
        Files.move(
            part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        // Some file systems cannot rename atomically; a plain replace is the best they offer.
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /**
   * Writes {@code content} to {@code file} atomically only if no file of that name exists, even
   * when other threads or processes race for the name: nothing is ever overwritten.
   *
   * @throws FileAlreadyExistsException when {@code file} exists (nothing is written)
   */
  public static void writeNew(Path file, Content content) throws IOException {
    Path target = file.toAbsolutePath();
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    Path part = writePart(target, content);
    try {
      if (!linkNew(part, target)) {
        throw new FileAlreadyExistsException(target.toString());
      }
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /**
   * Writes {@code content} to a new hidden part file beside {@code target} (creating the folder);
   * the part file is deleted again when writing fails. The caller deletes it after use.
   */
  static Path writePart(Path target, Content content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    for (int attempt = 0; ; attempt++) {
      Path candidate =
          dir.resolve(
              "."
                  + target.getFileName()
                  + "."
                  + Long.toHexString(ThreadLocalRandom.current().nextLong())
                  + ".part");
      OutputStream out;
      try {
        out = Files.newOutputStream(candidate, StandardOpenOption.CREATE_NEW);
      } catch (FileAlreadyExistsException e) {
        if (attempt > 100) {
          throw e;
        }
        continue;
      }
      try (out) {
        content.writeTo(out);
      } catch (IOException | RuntimeException | Error e) {
        try {
          Files.deleteIfExists(candidate);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      return candidate;
    }
  }

  /**
   * Gives the finished {@code part} file the name {@code target} if that name is free, atomically:
   * a hard link fails when the name exists. Where hard links are not supported, an empty file
   * created exclusively claims the name and the part file is renamed over it. The part file stays
   * (the caller deletes it).
   *
   * @return false when {@code target} exists already
   */
  static boolean linkNew(Path part, Path target) throws IOException {
    try {
      Files.createLink(target, part);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException | FileSystemException e) {
      if (e instanceof FileSystemException f && !linksUnsupported(f)) {
        throw f;
      }
    }
    try {
      Files.createFile(target);
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    try {
      Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(target);
      throw e;
    }
    return true;
  }

  private static boolean linksUnsupported(FileSystemException e) {
    String r = e.getReason();
    return r != null && (r.contains("not permitted") || r.contains("not supported"));
  }
}

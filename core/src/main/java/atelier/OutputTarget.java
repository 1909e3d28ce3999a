package atelier;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where finished images go: one exact file, or A1111-style numbered files {@code 00001-SEED.png} in
 * a folder. Names in a folder are claimed atomically (a hard link to a finished part file, which
 * fails when the name exists), so runs in other threads or processes writing into the same folder
 * never overwrite each other's images and never share a number; numbers go on past 99999 with more
 * digits. An exact file is never overwritten unless asked. Failures to write become a {@link
 * BadRequestException} naming the path and the reason (a full disk, a file in the way), and leave
 * no part file behind. Thread-safe and stateless apart from its settings.
 */
public final class OutputTarget {
  private static final Pattern NUMBERED = Pattern.compile("(\\d{5,18})-.*");
  private static final int MAX_ATTEMPTS = 10_000;

  private final Path file;
  private final Path dir;
  private final boolean overwrite;

  private OutputTarget(Path file, Path dir, boolean overwrite) {
    this.file = file;
    this.dir = dir;
    this.overwrite = overwrite;
  }

  /**
   * One exact file; checked now (before any work) and again, atomically, when it is written.
   *
   * @param overwrite whether an existing file may be replaced
   * @throws BadRequestException when the file exists (and {@code overwrite} is false), is a folder,
   *     or cannot be created because a file is in the way of its folder
   */
  public static OutputTarget file(Path file, boolean overwrite) {
    if (Files.isDirectory(file)) {
      throw new BadRequestException("output " + file + ": expected a file name, found a folder");
    }
    if (!overwrite && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new BadRequestException(
          "output "
              + file
              + ": expected a new file, found an existing one (pass --overwrite to replace it)");
    }
    checkFolder(file.toAbsolutePath().getParent(), file);
    return new OutputTarget(file, null, overwrite);
  }

  /**
   * Numbered files in a folder (created when the first image is written).
   *
   * @throws BadRequestException when the path, or a folder above it, is a file
   */
  public static OutputTarget folder(Path dir) {
    checkFolder(dir, dir);
    return new OutputTarget(null, dir, false);
  }

  /** The exact file, or null for a folder target. */
  public Path file() {
    return file;
  }

  /** The folder the images go to (the exact file's folder for a file target). */
  public Path dir() {
    return dir != null ? dir : file.toAbsolutePath().getParent();
  }

  /**
   * Writes one image atomically: to the exact file, or to the next free number in the folder.
   *
   * @param seed the image's seed, part of a numbered name
   * @return the file written
   * @throws BadRequestException when writing fails (the message names the path and the reason)
   */
  public Path write(long seed, AtomicFiles.Content png) {
    if (file != null) {
      try {
        if (overwrite) {
          AtomicFiles.write(file, png);
        } else {
          AtomicFiles.writeNew(file, png);
        }
        return file;
      } catch (FileAlreadyExistsException e) {
        throw new BadRequestException(
            "output "
                + file
                + ": expected a new file, found an existing one (pass --overwrite to replace it)",
            e);
      } catch (IOException e) {
        throw failure(file, e);
      }
    }
    Path part = null;
    try {
      part = AtomicFiles.writePart(dir.resolve(String.format(Locale.ROOT, "%d.png", seed)), png);
      for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        long n = maxNumber(dir) + 1;
        Path target = dir.resolve(String.format(Locale.ROOT, "%05d-%d.png", n, seed));
        if (!AtomicFiles.linkNew(part, target)) {
          continue;
        }
        if (numberTaken(dir, n, target)) {
          // Another writer claimed the same number at the same moment: both step back (at most
          // one can keep a number it was seen to share), so numbers stay unique.
          Files.deleteIfExists(target);
          Thread.onSpinWait();
          continue;
        }
        return target;
      }
      throw new BadRequestException(
          "output folder "
              + dir
              + ": expected a free number for the next image, found none after "
              + MAX_ATTEMPTS
              + " attempts");
    } catch (IOException e) {
      throw failure(dir, e);
    } finally {
      if (part != null) {
        try {
          Files.deleteIfExists(part);
        } catch (IOException e) {
          // Best effort: the image itself is written or the failure already reported.
        }
      }
    }
  }

  /**
   * Writes {@code content} atomically to {@code file}, or, when that name is taken, to the first
   * free {@code NAME-2.png}, {@code NAME-3.png}, …: for outputs with names of their own (recipes,
   * sweeps), so a second run into the same folder never replaces the first run's images.
   *
   * @return the file written
   * @throws BadRequestException when writing fails (the message names the path and the reason)
   */
  public static Path writeUnique(Path file, AtomicFiles.Content content) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : "";
    Path part = null;
    try {
      part = AtomicFiles.writePart(file, content);
      for (int i = 1; i <= MAX_ATTEMPTS; i++) {
        Path target = i == 1 ? file : file.resolveSibling(stem + "-" + i + ext);
        if (AtomicFiles.linkNew(part, target)) {
          return target;
        }
      }
      throw new BadRequestException(
          "output " + file + ": expected a free name, found " + MAX_ATTEMPTS + " taken");
    } catch (IOException e) {
      throw failure(file, e);
    } finally {
      if (part != null) {
        try {
          Files.deleteIfExists(part);
        } catch (IOException e) {
          // Best effort, as in write.
        }
      }
    }
  }

  /** The highest number of an A1111-style name ({@code NNNNN-…}) in {@code dir}, or 0. */
  static long maxNumber(Path dir) throws IOException {
    long max = 0;
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Matcher m = NUMBERED.matcher(p.getFileName().toString());
        if (m.matches()) {
          max = Math.max(max, Long.parseLong(m.group(1)));
        }
      }
    }
    return max;
  }

  private static boolean numberTaken(Path dir, long n, Path mine) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Matcher m = NUMBERED.matcher(p.getFileName().toString());
        if (m.matches() && Long.parseLong(m.group(1)) == n && !p.equals(mine)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Rejects a folder path that cannot be created because it, or a folder above it, is a file.
   *
   * @param named what the user named, for the message
   */
  public static void checkFolder(Path folder, Path named) {
    for (Path p = folder.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        if (!Files.isDirectory(p)) {
          throw new BadRequestException(
              "output "
                  + named
                  + ": expected a folder at "
                  + p
                  + ", found a file (it cannot hold the output)");
        }
        return;
      }
    }
  }

  /**
   * The error for a failed write: the path and the reason (Java's own messages often name only the
   * path).
   */
  public static BadRequestException failure(Path path, IOException e) {
    return new BadRequestException("writing " + path + " failed: " + reason(e), e);
  }

  /** Why an I/O operation failed, in words. */
  public static String reason(IOException e) {
    if (e instanceof FileSystemException f) {
      // The file named by the system, unless it is our own hidden part file (an internal name).
      String file = f.getFile();
      String name = file == null ? "" : Path.of(file).getFileName().toString();
      String where =
          file == null || (name.startsWith(".") && name.endsWith(".part")) ? "" : " (" + file + ")";
      if (f.getReason() != null) {
        return f.getReason() + where;
      }
      if (e instanceof AccessDeniedException) {
        return "permission denied" + where;
      }
      if (e instanceof NoSuchFileException) {
        return "no such file or folder" + where;
      }
      if (e instanceof NotDirectoryException) {
        return "not a folder" + where;
      }
      if (e instanceof FileAlreadyExistsException) {
        return "a file is in the way" + where;
      }
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }
}

package atelier.cli;

import atelier.BadRequestException;
import atelier.pipeline.Artwork;
import atelier.pipeline.ArtworkPng;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Where images go: one exact file, or numbered files in a folder. */
record Output(Path file, Path dir) {
  static Output of(Path out, int batch) {
    if (out != null && out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      if (batch > 1) {
        throw new BadRequestException(
            "--out: a .png file takes one image, found --batch "
                + batch
                + "; give a folder instead");
      }
      if (Files.isDirectory(out)) {
        throw new BadRequestException("--out: expected a file name, found the folder " + out);
      }
      return new Output(out, null);
    }
    Path dir = out != null ? out : Path.of("outputs");
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new BadRequestException(
          "--out: expected a folder or a .png file, found the file " + dir);
    }
    return new Output(null, dir);
  }

  Path write(Artwork artwork) {
    return write(artwork, target -> ArtworkPng.write(artwork, target));
  }

  /** Writes with {@code writer} (e.g. an upscaled image with more chunks) to the next name. */
  Path write(Artwork artwork, PngWriter writer) {
    try {
      Path target = file != null ? file : next(dir, artwork.record().settings().seed());
      writer.write(target);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("writing the image failed: " + e.getMessage(), e);
    }
  }

  /** Writes a PNG to a path. */
  interface PngWriter {
    void write(Path file) throws IOException;
  }

  /** A1111-style names: the next free 5-digit number, then the seed. */
  static Path next(Path dir, long seed) throws IOException {
    Files.createDirectories(dir);
    int max = 0;
    try (var s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        if (n.length() > 6
            && n.substring(0, 5).chars().allMatch(Character::isDigit)
            && n.charAt(5) == '-') {
          max = Math.max(max, Integer.parseInt(n.substring(0, 5)));
        }
      }
    }
    return dir.resolve(String.format(Locale.ROOT, "%05d-%d.png", max + 1, seed));
  }
}

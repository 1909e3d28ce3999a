package atelier.quality;

import atelier.BadRequestException;
import atelier.image.ImageInput;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finding and reading the images a command was given: files are taken as named, folders are
 * searched (not recursively) for image extensions. Bad files are reported per file, not fatal.
 * Stateless.
 */
public final class ImageFiles {
  /** Extensions searched for in folders. */
  public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

  private ImageFiles() {}

  /** A file that was skipped, and why. */
  public record Skipped(Path path, String reason) {}

  /** The images to read, and what was skipped while listing. */
  public record Listing(List<Path> images, List<Skipped> skipped) {}

  /**
   * Expands files and folders into image files, in name order within each folder.
   *
   * @throws BadRequestException when nothing was given
   */
  public static Listing list(List<Path> inputs) {
    if (inputs == null || inputs.isEmpty()) {
      throw new BadRequestException("images: expected image files or folders, found none");
    }
    List<Path> images = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(Files::isRegularFile)
              .filter(ImageFiles::hasImageExtension)
              .sorted()
              .forEach(images::add);
        } catch (IOException e) {
          skipped.add(new Skipped(p, "folder could not be listed: " + e.getMessage()));
        }
      } else if (Files.isRegularFile(p)) {
        images.add(p);
      } else {
        skipped.add(new Skipped(p, "no such file or folder"));
      }
    }
    return new Listing(images, skipped);
  }

  static boolean hasImageExtension(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return dot >= 0 && EXTENSIONS.contains(n.substring(dot + 1));
  }

  /**
   * Reads one image through {@link ImageInput} (size, pixel and format checks).
   *
   * @throws BadRequestException saying why the file is not a readable image
   */
  public static BufferedImage read(Path file) {
    BufferedImage img = ImageInput.read(null, file);
    if (img.getWidth() < 8 || img.getHeight() < 8) {
      throw new BadRequestException(
          file
              + ": expected an image of at least 8×8 pixels, found "
              + img.getWidth()
              + "×"
              + img.getHeight());
    }
    return img;
  }
}

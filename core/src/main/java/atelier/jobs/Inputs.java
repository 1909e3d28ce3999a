package atelier.jobs;

import atelier.BadRequestException;
import atelier.image.ImageInput;
import atelier.image.ImageLimits;
import atelier.model.ModelHasher;
import atelier.pipeline.InitImage;
import atelier.pipeline.Symmetry;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;

/** Reading a job's input pictures and parsing its small option syntaxes. Stateless. */
public final class Inputs {
  private Inputs() {}

  /**
   * Reads an image-to-image basemap file under the image limits in force ({@link
   * ImageLimits#current()}: file size, header pixel count), so a decompression bomb is refused
   * before any pixel is decoded.
   *
   * @param expectedSha256 the SHA-256 it must have (as recorded in an image), or null for any
   * @throws BadRequestException when the file is missing, too large, unreadable, over the pixel
   *     limit or not the recorded one
   */
  public static InitImage readInit(Path file, String expectedSha256) {
    ImageInput.Decoded read = ImageInput.readWithBytes("init image", file, ImageLimits.current());
    return checked(read.image(), read.bytes(), file.toString(), expectedSha256);
  }

  /**
   * Decodes a basemap from an image file's bytes (an upload), under the same limits as a file.
   *
   * @param source where it came from, for the record and messages
   * @throws BadRequestException when the bytes are not a readable image, exceed a limit or are not
   *     the recorded one
   */
  public static InitImage decodeInit(byte[] bytes, String source, String expectedSha256) {
    BufferedImage img =
        ImageInput.decode("init image", Path.of(source), bytes, ImageLimits.current());
    return checked(img, bytes, source, expectedSha256);
  }

  private static InitImage checked(
      BufferedImage img, byte[] bytes, String source, String expectedSha256) {
    String sha = ModelHasher.sha256Of(bytes);
    if (expectedSha256 != null && !expectedSha256.equals(sha)) {
      throw new BadRequestException(
          "init image "
              + source
              + ": expected the basemap with SHA-256 "
              + expectedSha256
              + " (as recorded), found "
              + sha);
    }
    return new InitImage(img, source, sha);
  }

  /**
   * Reads an inpainting mask file under the image limits, as {@link #readInit} reads a basemap.
   *
   * @throws BadRequestException naming the mask when it is missing, unreadable, over a limit or not
   *     the recorded one
   */
  public static InitImage readMask(Path file, String expectedSha256) {
    ImageInput.Decoded read = ImageInput.readWithBytes("mask", file, ImageLimits.current());
    return checkedMask(read.image(), read.bytes(), file.toString(), expectedSha256);
  }

  /** Decodes an inpainting mask from an image file's bytes (an upload). */
  public static InitImage decodeMask(byte[] bytes, String source, String expectedSha256) {
    BufferedImage img = ImageInput.decode("mask", Path.of(source), bytes, ImageLimits.current());
    return checkedMask(img, bytes, source, expectedSha256);
  }

  private static InitImage checkedMask(
      BufferedImage img, byte[] bytes, String source, String expectedSha256) {
    String sha = ModelHasher.sha256Of(bytes);
    if (expectedSha256 != null && !expectedSha256.equals(sha)) {
      throw new BadRequestException(
          "mask "
              + source
              + ": expected the mask with SHA-256 "
              + expectedSha256
              + " (as recorded), found "
              + sha);
    }
    return new InitImage(img, source, sha);
  }

  /**
   * Parses {@code --symmetry h|v|hv} with the share of steps it applies to.
   *
   * @throws BadRequestException for other axes or a share outside (0, 1]
   */
  public static Symmetry symmetry(String axes, double fraction) {
    String a = axes.trim().toLowerCase(Locale.ROOT);
    if (!a.matches("h|v|hv|vh")) {
      throw new BadRequestException("symmetry: expected h, v or hv, found '" + axes + "'");
    }
    try {
      return new Symmetry(a.contains("h"), a.contains("v"), fraction);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException(e.getMessage(), e);
    }
  }
}

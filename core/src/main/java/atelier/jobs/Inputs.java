package atelier.jobs;

import atelier.BadRequestException;
import atelier.model.ModelHasher;
import atelier.pipeline.InitImage;
import atelier.pipeline.Symmetry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Reading a job's input pictures and parsing its small option syntaxes. Stateless. */
public final class Inputs {
  private Inputs() {}

  /**
   * Reads an image-to-image basemap file.
   *
   * @param expectedSha256 the SHA-256 it must have (as recorded in an image), or null for any
   * @throws BadRequestException when the file is missing, unreadable or not the recorded one
   */
  public static InitImage readInit(Path file, String expectedSha256) {
    if (!Files.isRegularFile(file)) {
      throw new BadRequestException(
          "init image: expected an image file at " + file + ", found nothing");
    }
    try {
      return decodeInit(Files.readAllBytes(file), file.toString(), expectedSha256);
    } catch (IOException e) {
      throw new BadRequestException("init image " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes a basemap from an image file's bytes.
   *
   * @param source where it came from, for the record and messages
   * @throws BadRequestException when the bytes are not a readable image or not the recorded one
   */
  public static InitImage decodeInit(byte[] bytes, String source, String expectedSha256) {
    BufferedImage img;
    try {
      img = javax.imageio.ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new BadRequestException("init image " + source + ": " + e.getMessage(), e);
    }
    if (img == null) {
      throw new BadRequestException(
          "init image "
              + source
              + ": expected a PNG, JPEG, BMP or GIF image, found an unreadable file");
    }
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

package atelier.image;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The one way Atelier reads a user's image file (init images, basemap inputs and logos, images to
 * upscale or score, recipe inputs): the file size is capped before it is read, the pixel count is
 * read from the header and capped before any pixel is decoded, formats ImageIO lacks are named, and
 * CMYK/YCCK JPEGs get the colours Pillow gives them. Errors are {@link BadRequestException}s that
 * name the file, the limit and what was found. Stateless and thread-safe.
 */
public final class ImageInput {
  static {
    ImageFormats.init();
  }

  private ImageInput() {}

  /**
   * A decoded image with the file's bytes (for hashing).
   *
   * @param image the pixels
   * @param bytes the file's bytes as read
   */
  public record Decoded(BufferedImage image, byte[] bytes) {}

  /** Reads and decodes an image file under the limits in force; {@code role} starts messages. */
  public static BufferedImage read(String role, Path file) {
    return readWithBytes(role, file, ImageLimits.current()).image();
  }

  /**
   * Reads and decodes an image file, keeping its bytes.
   *
   * @param role what the file is for ("init image"), at the start of error messages; may be null
   * @throws BadRequestException when the file is missing, too large, of a format not read here,
   *     damaged, or declares more pixels than {@link ImageLimits#maxPixels()}
   */
  public static Decoded readWithBytes(String role, Path file, ImageLimits limits) {
    byte[] bytes = readBytes(role, file, limits);
    return new Decoded(decode(role, file, bytes, limits), bytes);
  }

  /**
   * Reads a file's bytes after checking its size against {@link ImageLimits#maxFileBytes()}.
   *
   * @throws BadRequestException when the file is missing, too large or cannot be read
   */
  public static byte[] readBytes(String role, Path file, ImageLimits limits) {
    if (file == null || !Files.isRegularFile(file)) {
      throw new BadRequestException(
          prefix(role, null) + "expected an image file at " + file + ", found nothing");
    }
    try {
      long size = Files.size(file);
      if (size > limits.maxFileBytes()) {
        throw bad(
            role,
            file,
            "expected an image file of at most "
                + ImageLimits.bytes(limits.maxFileBytes())
                + " (atelier.image.maxFileBytes), found "
                + ImageLimits.bytes(size));
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw bad(role, file, "cannot be read: " + e.getMessage());
    }
  }

  /**
   * Decodes an image file's bytes: header first (format, pixel count), then the pixels.
   *
   * @param file the file the bytes came from, for messages
   * @throws BadRequestException when the bytes are not a readable image or exceed a limit
   */
  public static BufferedImage decode(String role, Path file, byte[] bytes, ImageLimits limits) {
    if (bytes.length > limits.maxFileBytes()) {
      throw bad(
          role,
          file,
          "expected an image file of at most "
              + ImageLimits.bytes(limits.maxFileBytes())
              + " (atelier.image.maxFileBytes), found "
              + ImageLimits.bytes(bytes.length));
    }
    byte[] head = Arrays.copyOf(bytes, Math.min(bytes.length, 32));
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        String format = ImageFormats.sniff(head);
        throw bad(
            role,
            file,
            format != null
                ? "unsupported image format "
                    + format
                    + "; expected "
                    + ImageFormats.EXPECTED
                    + " (convert it first)"
                : "expected a "
                    + ImageFormats.EXPECTED
                    + " image, found "
                    + (bytes.length == 0
                        ? "an empty file"
                        : "an unreadable file of no known image format"));
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        long pixels = (long) w * h;
        if (pixels > limits.maxPixels()) {
          throw bad(
              role,
              file,
              String.format(
                  Locale.ROOT,
                  "expected at most %s pixels (atelier.image.maxPixels; 8192×8192 by default),"
                      + " found %d×%d = %s pixels in the header",
                  megapixels(limits.maxPixels()),
                  w,
                  h,
                  megapixels(pixels)));
        }
        if (w < 1 || h < 1) {
          throw bad(role, file, "expected an image of at least 1×1 pixels, found " + w + "×" + h);
        }
        Cmyk.Jpeg cmyk = Cmyk.Jpeg.of(bytes);
        if (cmyk != null) {
          Raster raster = reader.readRaster(0, null);
          return Cmyk.toRgb(raster, cmyk);
        }
        BufferedImage img = reader.read(0);
        if (img == null) {
          throw bad(role, file, "expected pixels, found none");
        }
        return greyAsStored(img);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof BadRequestException b) {
        throw b;
      }
      String format = ImageFormats.sniff(head);
      throw new BadRequestException(
          prefix(role, file)
              + "expected a "
              + ImageFormats.EXPECTED
              + " image, found "
              + (format == null ? "an unreadable file" : "a damaged " + format + " file")
              + " ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  /**
   * A greyscale image (8 or 16 bits, with or without alpha) as RGB with the stored grey levels.
   *
   * <p>Why: Java decodes grey PNGs and JPEGs into a linear grey colour space, so {@code getRGB}
   * brightens them (a stored 100 reads as 168); Pillow, and so diffusers and A1111, take the stored
   * level as the sRGB level. Other images are returned as they are.
   */
  static BufferedImage greyAsStored(BufferedImage img) {
    java.awt.image.ColorModel cm = img.getColorModel();
    if (cm instanceof java.awt.image.IndexColorModel
        || cm.getColorSpace().getType() != java.awt.color.ColorSpace.TYPE_GRAY) {
      return img;
    }
    Raster raster = img.getRaster();
    boolean alpha = cm.hasAlpha() && raster.getNumBands() > 1;
    int w = img.getWidth();
    int h = img.getHeight();
    BufferedImage out =
        new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    int greyMax = (1 << cm.getComponentSize(0)) - 1;
    int alphaMax = alpha ? (1 << cm.getComponentSize(1)) - 1 : 255;
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int g = scale(raster.getSample(x, y, 0), greyMax);
        int a = alpha ? scale(raster.getSample(x, y, 1), alphaMax) : 255;
        row[x] = a << 24 | g << 16 | g << 8 | g;
      }
      out.setRGB(0, y, w, 1, row, 0, w);
    }
    return out;
  }

  private static int scale(int v, int max) {
    return max == 255 ? v : (int) Math.round(v * 255.0 / max);
  }

  private static String megapixels(long pixels) {
    return pixels >= 1_000_000
        ? String.format(Locale.ROOT, "%.1f million", pixels / 1e6)
        : Long.toString(pixels);
  }

  private static BadRequestException bad(String role, Path file, String reason) {
    return new BadRequestException(prefix(role, file) + reason);
  }

  private static String prefix(String role, Path file) {
    String r = role == null || role.isEmpty() ? "" : role;
    String f = file == null ? "" : file.toString();
    String both = (r + (r.isEmpty() || f.isEmpty() ? "" : " ") + f).trim();
    if (both.endsWith(":")) {
      both = both.substring(0, both.length() - 1); // a role written "basemap logo:"
    }
    return both.isEmpty() ? "" : both + ": ";
  }
}

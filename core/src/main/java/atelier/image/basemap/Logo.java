package atelier.image.basemap;

import atelier.BadRequestException;
import atelier.image.Resize;
import atelier.model.ModelHasher;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Places a logo (a PNG with alpha) centred on the image, scaled with Lanczos-3 to fit inside the
 * image less {@code padding} on every side, and composited over it by its alpha ("source over").
 * The file's SHA-256 is part of the op, so a record names exactly which logo made a basemap.
 *
 * @param file the logo file
 * @param padding 0..0.45, a share of each side left free
 * @param sha256 the file's hex SHA-256 (computed when null; checked when given)
 */
public record Logo(Path file, double padding, String sha256) implements BasemapOp {
  public Logo {
    Check.notNull("logo", "file", file);
    Check.range("logo", "padding", padding, 0, 0.45);
    String actual = sha256(file);
    if (sha256 != null && !sha256.equalsIgnoreCase(actual)) {
      throw new BadRequestException(
          "basemap logo: "
              + file
              + ": expected the file with SHA-256 "
              + sha256
              + " (as recorded), found "
              + actual);
    }
    sha256 = actual;
  }

  static Logo of(OpArgs a) {
    String f = a.string("file", null);
    Check.notNull("logo", "file", f);
    return new Logo(Path.of(f), a.number("padding", 0.1), a.string("sha256", null));
  }

  private static String sha256(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new BadRequestException(
          "basemap logo: file: expected an image file at " + file + ", found nothing");
    }
    try {
      return ModelHasher.sha256Of(file);
    } catch (IOException e) {
      throw new BadRequestException("basemap logo: " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads the logo image. */
  BufferedImage read() {
    return atelier.image.ImageInput.read("basemap logo:", file);
  }

  /** {x, y, width, height} of the placed logo on a w × h image, for a lw × lh logo. */
  int[] placement(int w, int h, int lw, int lh) {
    double bw = w * (1 - 2 * padding);
    double bh = h * (1 - 2 * padding);
    double scale = Math.min(bw / lw, bh / lh);
    int tw = Math.max(1, (int) Math.round(lw * scale));
    int th = Math.max(1, (int) Math.round(lh * scale));
    return new int[] {(w - tw) / 2, (h - th) / 2, tw, th};
  }

  @Override
  public OpKind kind() {
    return OpKind.LOGO;
  }

  @Override
  public BufferedImage apply(BufferedImage image) {
    BufferedImage logo = read();
    Pixels base = Pixels.of(image);
    int[] p = placement(base.width, base.height, logo.getWidth(), logo.getHeight());
    BufferedImage scaled =
        p[2] == logo.getWidth() && p[3] == logo.getHeight()
            ? logo
            : Resize.resample(logo, p[2], p[3]);
    Pixels top = Pixels.of(scaled);
    for (int y = 0; y < top.height; y++) {
      for (int x = 0; x < top.width; x++) {
        int i = (y + p[1]) * base.width + x + p[0];
        base.argb[i] = Pixels.over(top.argb[y * top.width + x], base.argb[i], 1);
      }
    }
    return base.toImage();
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("file", file.toString());
    m.put("padding", padding);
    m.put("sha256", sha256);
    return m;
  }
}

package atelier.pipeline;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Outpainting as A1111's "poor man's outpainting" script does it: the canvas grows by the given
 * pixels on each side, the basemap sits where it was, and the mask is white over the new area and
 * over an overlap of twice the mask blur into the basemap on each extended side; the new area then
 * starts from the basemap's colours spread outward (the {@code fill} fill, the default here).
 *
 * @param left pixels added on the left, a multiple of 8 from 0 to 4096
 * @param top pixels added on top
 * @param right pixels added on the right
 * @param bottom pixels added at the bottom
 */
public record Outpaint(int left, int top, int right, int bottom) {
  public Outpaint {
    check("left", left);
    check("top", top);
    check("right", right);
    check("bottom", bottom);
    if (left + top + right + bottom == 0) {
      throw new BadRequestException(
          "outpaint: expected at least one side to extend (left, top, right or bottom), found"
              + " none");
    }
  }

  private static void check(String side, int v) {
    if (v < 0 || v > 4096 || v % 8 != 0) {
      throw new BadRequestException(
          "outpaint " + side + ": expected a multiple of 8 from 0 to 4096 pixels, found " + v);
    }
  }

  /**
   * Parses {@code left=256,top=0,right=256,bottom=0} (sides left out are 0; {@code l t r b} and
   * {@code x} (left and right) and {@code y} (top and bottom) are accepted too).
   */
  public static Outpaint parse(String text) {
    Map<String, Integer> sides = new LinkedHashMap<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq < 0) {
        throw new BadRequestException(
            "outpaint: expected SIDE=PIXELS (left, top, right, bottom), found '" + p + "'");
      }
      String key = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      int value;
      try {
        value = Integer.parseInt(p.substring(eq + 1).trim());
      } catch (NumberFormatException e) {
        throw new BadRequestException(
            "outpaint " + key + ": expected whole pixels, found '" + p.substring(eq + 1) + "'");
      }
      switch (key) {
        case "left", "l" -> sides.put("left", value);
        case "top", "t" -> sides.put("top", value);
        case "right", "r" -> sides.put("right", value);
        case "bottom", "b" -> sides.put("bottom", value);
        case "x" -> {
          sides.put("left", value);
          sides.put("right", value);
        }
        case "y" -> {
          sides.put("top", value);
          sides.put("bottom", value);
        }
        default ->
            throw new BadRequestException(
                "outpaint: expected left, top, right, bottom, x or y, found '" + key + "'");
      }
    }
    return new Outpaint(
        sides.getOrDefault("left", 0),
        sides.getOrDefault("top", 0),
        sides.getOrDefault("right", 0),
        sides.getOrDefault("bottom", 0));
  }

  /** The canonical text, which {@link #parse} reads back. */
  @Override
  public String toString() {
    return "left=" + left + ",top=" + top + ",right=" + right + ",bottom=" + bottom;
  }

  /** The extended canvas: the basemap at ({@code left}, {@code top}), the new area black. */
  public BufferedImage canvas(BufferedImage basemap) {
    int w = basemap.getWidth() + left + right;
    int h = basemap.getHeight() + top + bottom;
    if ((long) w * h > (long) GenerationRequest.MAX_SIDE * GenerationRequest.MAX_SIDE
        || w > GenerationRequest.MAX_SIDE
        || h > GenerationRequest.MAX_SIDE) {
      throw new BadRequestException(
          "outpaint: expected a canvas of at most "
              + GenerationRequest.MAX_SIDE
              + " pixels a side, found "
              + w
              + "×"
              + h);
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int bw = basemap.getWidth();
    int bh = basemap.getHeight();
    BufferedImage rgb = new BufferedImage(bw, bh, BufferedImage.TYPE_INT_ARGB);
    rgb.setRGB(0, 0, bw, bh, basemap.getRGB(0, 0, bw, bh, null, 0, bw), 0, bw);
    java.awt.Graphics2D g = out.createGraphics();
    try {
      g.setColor(java.awt.Color.WHITE); // transparent basemap pixels read as white, as the VAE's
      g.fillRect(left, top, bw, bh);
      g.drawImage(rgb, left, top, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * The mask: white everywhere but the basemap, shrunk by {@code 2·blur} on each extended side (the
   * overlap A1111's script repaints).
   */
  public BufferedImage mask(int basemapWidth, int basemapHeight, int blur) {
    int w = basemapWidth + left + right;
    int h = basemapHeight + top + bottom;
    int x1 = left + (left > 0 ? 2 * blur : 0);
    int y1 = top + (top > 0 ? 2 * blur : 0);
    int x2 = w - right - (right > 0 ? 2 * blur : 0);
    int y2 = h - bottom - (bottom > 0 ? 2 * blur : 0);
    BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] px = new int[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        px[y * w + x] = x >= x1 && x < x2 && y >= y1 && y < y2 ? 0 : 0xffffff;
      }
    }
    m.setRGB(0, 0, w, h, px, 0, w);
    return m;
  }

  /**
   * The basemap and inpainting of an outpainting request: the extended canvas as the basemap (its
   * source and hash still the original file's, so the record names the file the user gave) and the
   * generated mask.
   */
  public static Prepared prepare(InitImage basemap, InpaintSettings settings) {
    Outpaint o = parse(settings.outpaint());
    BufferedImage canvas = o.canvas(basemap.image());
    BufferedImage mask =
        o.mask(basemap.image().getWidth(), basemap.image().getHeight(), settings.blur());
    return new Prepared(
        new InitImage(canvas, basemap.source(), basemap.sha256()), new Inpaint(mask, settings));
  }

  /** An outpainting request's basemap (the extended canvas) and mask. */
  public record Prepared(InitImage init, Inpaint inpaint) {}
}

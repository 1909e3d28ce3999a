package atelier.image.basemap;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A plain canvas: the source op that starts a chain without an input image (text and logo basemaps,
 * gradients).
 *
 * @param width pixels, 1..8192
 * @param height pixels, 1..8192
 * @param color fill colour
 */
public record Canvas(int width, int height, Rgb color) implements BasemapOp {
  public Canvas {
    Check.range("canvas", "width", width, 1, 8192);
    Check.range("canvas", "height", height, 1, 8192);
    Check.notNull("canvas", "color", color);
  }

  static Canvas of(OpArgs a) {
    return new Canvas(
        a.integer("width", 512), a.integer("height", 512), a.color("color", Rgb.WHITE));
  }

  @Override
  public OpKind kind() {
    return OpKind.CANVAS;
  }

  @Override
  public long[] outputSize(int ignoredWidth, int ignoredHeight) {
    return new long[] {width, height};
  }

  @Override
  public BufferedImage apply(BufferedImage ignored) {
    return Pixels.filled(width, height, color.argb()).toImage();
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("width", width);
    m.put("height", height);
    m.put("color", color);
    return m;
  }
}

package atelier.image.basemap;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fills the background with a colour and keeps the subject ({@link Keying}): e.g. {@code
 * background:#1e2a44,key=flood,tolerance=0.08} replaces a photo's plain backdrop, {@code
 * background:white,key=alpha} flattens a cut-out onto white.
 *
 * @param color the fill
 * @param keying which pixels are background
 */
public record Background(Rgb color, Keying keying) implements BasemapOp {
  public Background {
    Check.notNull("background", "color", color);
    Check.notNull("background", "key", keying);
  }

  static Background of(OpArgs a) {
    return new Background(a.color("color", Rgb.WHITE), Keying.of(a, Keying.Key.ALPHA));
  }

  @Override
  public OpKind kind() {
    return OpKind.BACKGROUND;
  }

  @Override
  public BufferedImage apply(BufferedImage image) {
    int fill = color.argb();
    return keying.composite(Pixels.of(image), i -> fill).toImage();
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("color", color);
    keying.putParams(m);
    return m;
  }
}

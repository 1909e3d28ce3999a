package atelier.image.basemap;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A linear or radial gradient background. Linear: colour runs from {@code from} to {@code to} along
 * the direction {@code angle} (0° left to right, 90° top to bottom), spanning the image's extent in
 * that direction, measured at pixel centres. Radial: from the centre ({@code from}) to the corners
 * ({@code to}). Channels (alpha included) are interpolated linearly and rounded. By default the
 * gradient replaces everything ({@code key=all}); other keys keep a subject ({@link Keying}).
 *
 * @param shape linear or radial
 * @param from start colour
 * @param to end colour
 * @param angle degrees, -360..360 (linear only; stored as given)
 * @param keying which pixels the gradient replaces
 */
public record Gradient(Shape shape, Rgb from, Rgb to, double angle, Keying keying)
    implements BasemapOp {
  /** Gradient shapes. */
  public enum Shape {
    LINEAR,
    RADIAL;

    /** Finds a shape by name; unknown names get the list of valid ones. */
    public static Shape lookup(String name) {
      return switch (name.strip().toLowerCase(Locale.ROOT)) {
        case "linear" -> LINEAR;
        case "radial" -> RADIAL;
        default ->
            throw new BadRequestException(
                "shape: expected one of linear, radial, found '" + name + "'");
      };
    }
  }

  public Gradient {
    Check.notNull("gradient", "shape", shape);
    Check.notNull("gradient", "from", from);
    Check.notNull("gradient", "to", to);
    Check.range("gradient", "angle", angle, -360, 360);
    Check.notNull("gradient", "key", keying);
  }

  static Gradient of(OpArgs a) {
    Shape shape = a.choice("shape", Shape.LINEAR, Shape::lookup);
    Rgb from = a.color("from", Rgb.BLACK);
    Rgb to = a.color("to", Rgb.WHITE);
    double angle = shape == Shape.LINEAR ? a.number("angle", 90) : 0;
    return new Gradient(shape, from, to, angle, Keying.of(a, Keying.Key.ALL));
  }

  /** The gradient position (0..1) of pixel (x, y) in a w × h image. */
  double position(int x, int y, int w, int h) {
    double px = x + 0.5 - w / 2.0;
    double py = y + 0.5 - h / 2.0;
    if (shape == Shape.RADIAL) {
      return Math.min(1, Math.hypot(px, py) / (Math.hypot(w, h) / 2));
    }
    double rad = Math.toRadians(angle);
    double c = Math.cos(rad);
    double s = Math.sin(rad);
    // Half the extent of the pixel centres along the direction: the first and last centres get 0
    // and 1 exactly for axis-aligned gradients.
    double e = (Math.abs(c) * (w - 1) + Math.abs(s) * (h - 1)) / 2;
    if (e == 0) {
      return 0;
    }
    return Math.max(0, Math.min(1, (px * c + py * s + e) / (2 * e)));
  }

  @Override
  public OpKind kind() {
    return OpKind.GRADIENT;
  }

  @Override
  public BufferedImage apply(BufferedImage image) {
    Pixels px = Pixels.of(image);
    int w = px.width;
    int h = px.height;
    return keying
        .composite(
            px,
            i -> {
              double t = position(i % w, i / w, w, h);
              return Pixels.pack(
                  lerp(from.a(), to.a(), t),
                  lerp(from.r(), to.r(), t),
                  lerp(from.g(), to.g(), t),
                  lerp(from.b(), to.b(), t));
            })
        .toImage();
  }

  private static int lerp(int a, int b, double t) {
    return Pixels.clamp8(a + (b - a) * t);
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("shape", shape);
    m.put("from", from);
    m.put("to", to);
    if (shape == Shape.LINEAR) {
      m.put("angle", angle);
    }
    keying.putParams(m);
    return m;
  }
}

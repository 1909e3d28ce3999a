package atelier.image.basemap;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hue, saturation and lightness in HSL space: the hue turns by {@code hue} degrees, saturation is
 * multiplied by {@code saturation} and lightness shifted by {@code lightness} (both clamped to
 * 0..1), then back to 8-bit RGB. Alpha is kept.
 *
 * @param hue -180..180 degrees (120 turns red into green)
 * @param saturation 0..10 (0 is grey, 1 unchanged)
 * @param lightness -1..1
 */
public record HueSaturation(double hue, double saturation, double lightness) implements BasemapOp {
  public HueSaturation {
    Check.range("hue-saturation", "hue", hue, -180, 180);
    Check.range("hue-saturation", "saturation", saturation, 0, 10);
    Check.range("hue-saturation", "lightness", lightness, -1, 1);
  }

  static HueSaturation of(OpArgs a) {
    return new HueSaturation(
        a.number("hue", 0), a.number("saturation", 1), a.number("lightness", 0));
  }

  @Override
  public OpKind kind() {
    return OpKind.HUE_SATURATION;
  }

  @Override
  public BufferedImage apply(BufferedImage image) {
    Pixels px = Pixels.of(image);
    for (int i = 0; i < px.argb.length; i++) {
      px.argb[i] = adjust(px.argb[i]);
    }
    return px.toImage();
  }

  int adjust(int p) {
    double r = ((p >> 16) & 0xff) / 255.0;
    double g = ((p >> 8) & 0xff) / 255.0;
    double b = (p & 0xff) / 255.0;
    double max = Math.max(r, Math.max(g, b));
    double min = Math.min(r, Math.min(g, b));
    double l = (max + min) / 2;
    double s = 0;
    double h = 0;
    double d = max - min;
    if (d > 0) {
      s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
      if (max == r) {
        h = (g - b) / d + (g < b ? 6 : 0);
      } else if (max == g) {
        h = (b - r) / d + 2;
      } else {
        h = (r - g) / d + 4;
      }
      h *= 60;
    }
    h = ((h + hue) % 360 + 360) % 360;
    s = Math.max(0, Math.min(1, s * saturation));
    l = Math.max(0, Math.min(1, l + lightness));
    double q = l < 0.5 ? l * (1 + s) : l + s - l * s;
    double pp = 2 * l - q;
    double hk = h / 360;
    return Pixels.pack(
        p >>> 24,
        Pixels.clamp8(255 * hueToChannel(pp, q, hk + 1.0 / 3)),
        Pixels.clamp8(255 * hueToChannel(pp, q, hk)),
        Pixels.clamp8(255 * hueToChannel(pp, q, hk - 1.0 / 3)));
  }

  private static double hueToChannel(double p, double q, double t) {
    if (t < 0) {
      t += 1;
    }
    if (t > 1) {
      t -= 1;
    }
    if (t < 1.0 / 6) {
      return p + (q - p) * 6 * t;
    }
    if (t < 0.5) {
      return q;
    }
    if (t < 2.0 / 3) {
      return p + (q - p) * (2.0 / 3 - t) * 6;
    }
    return p;
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hue", hue);
    m.put("saturation", saturation);
    m.put("lightness", lightness);
    return m;
  }
}

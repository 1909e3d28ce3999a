package atelier.image.basemap;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Colour temperature and tint: tints the image as if lit by a black body of {@code kelvin} (lower
 * is warmer: 3200 K is tungsten orange, 10000 K is a blue sky), relative to 6500 K (daylight,
 * unchanged). Each channel is multiplied by {@code white(kelvin) / white(6500)}, where {@code
 * white} is Tanner Helland's published fit of the black-body colour (2012; accurate to about 1%
 * from 1000 K to 40000 K). {@code tint} then scales green by {@code 1 - tint}: positive is magenta,
 * negative is green.
 *
 * @param kelvin 1000..40000
 * @param tint -1..1
 */
public record Temperature(double kelvin, double tint) implements BasemapOp {
  /** The neutral temperature. */
  public static final double NEUTRAL = 6500;

  public Temperature {
    Check.range("temperature", "kelvin", kelvin, 1000, 40000);
    Check.range("temperature", "tint", tint, -1, 1);
  }

  static Temperature of(OpArgs a) {
    return new Temperature(a.number("kelvin", NEUTRAL), a.number("tint", 0));
  }

  /** The gains applied to R, G and B. */
  public double[] gains() {
    double[] w = white(kelvin);
    double[] n = white(NEUTRAL);
    return new double[] {w[0] / n[0], w[1] / n[1] * (1 - tint), w[2] / n[2]};
  }

  /** Helland's black-body colour, each channel in 0..255 (before rounding). */
  static double[] white(double kelvin) {
    double t = kelvin / 100;
    double r = t <= 66 ? 255 : 329.698727446 * Math.pow(t - 60, -0.1332047592);
    double g =
        t <= 66
            ? 99.4708025861 * Math.log(t) - 161.1195681661
            : 288.1221695283 * Math.pow(t - 60, -0.0755148492);
    double b = t >= 66 ? 255 : t <= 19 ? 0 : 138.5177312231 * Math.log(t - 10) - 305.0447927307;
    return new double[] {clamp(r), clamp(g), clamp(b)};
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(255, v));
  }

  @Override
  public OpKind kind() {
    return OpKind.TEMPERATURE;
  }

  @Override
  public BufferedImage apply(BufferedImage image) {
    double[] k = gains();
    return Pixels.of(image)
        .mapChannels(
            Pixels.lut(c -> Pixels.clamp8(c * k[0])),
            Pixels.lut(c -> Pixels.clamp8(c * k[1])),
            Pixels.lut(c -> Pixels.clamp8(c * k[2])))
        .toImage();
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kelvin", kelvin);
    m.put("tint", tint);
    return m;
  }
}

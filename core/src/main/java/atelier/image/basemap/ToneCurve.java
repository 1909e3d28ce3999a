package atelier.image.basemap;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A tone curve through control points, as photo editors draw it: a monotone cubic (Fritsch-Carlson
 * 1980) through the points, so the curve never overshoots between them; flat outside the first and
 * last point. Written {@code curve:points=0/0;64/40;192/220;255/255,channel=rgb}.
 *
 * @param xs input levels, strictly increasing, 0..255 (at least two points)
 * @param ys output levels, 0..255
 * @param channel which channels the curve applies to
 */
public record ToneCurve(double[] xs, double[] ys, Channel channel) implements BasemapOp {
  /** The channels a curve can apply to. */
  public enum Channel {
    RGB,
    RED,
    GREEN,
    BLUE;

    /** Finds a channel by name (r, g, b accepted); unknown names get the list of valid ones. */
    public static Channel lookup(String name) {
      String n = name.strip().toLowerCase(Locale.ROOT);
      for (Channel c : values()) {
        String cn = c.name().toLowerCase(Locale.ROOT);
        if (cn.equals(n) || (c != RGB && n.equals(cn.substring(0, 1)))) {
          return c;
        }
      }
      throw new BadRequestException(
          "channel: expected one of rgb, red, green, blue, found '" + name + "'");
    }
  }

  public ToneCurve {
    xs = xs.clone();
    ys = ys.clone();
    if (xs.length != ys.length || xs.length < 2) {
      throw new BadRequestException(
          "basemap curve: points: expected at least 2 points x/y, found " + xs.length);
    }
    for (int i = 0; i < xs.length; i++) {
      Check.range("curve", "points[" + i + "].x", xs[i], 0, 255);
      Check.range("curve", "points[" + i + "].y", ys[i], 0, 255);
      if (i > 0 && xs[i] <= xs[i - 1]) {
        throw new BadRequestException(
            "basemap curve: points: expected x increasing, found "
                + Check.num(xs[i])
                + " after "
                + Check.num(xs[i - 1]));
      }
    }
    Check.notNull("curve", "channel", channel);
  }

  static ToneCurve of(OpArgs a) {
    String text = a.string("points", "0/0;255/255");
    List<double[]> pts = new ArrayList<>();
    for (String p : text.split(";")) {
      String[] xy = p.strip().split("/");
      try {
        if (xy.length != 2) {
          throw new NumberFormatException();
        }
        pts.add(
            new double[] {Double.parseDouble(xy[0].strip()), Double.parseDouble(xy[1].strip())});
      } catch (NumberFormatException e) {
        throw new BadRequestException(
            "basemap curve: points: expected x/y;x/y;… (levels 0..255), found '" + p.strip() + "'");
      }
    }
    return new ToneCurve(
        pts.stream().mapToDouble(p -> p[0]).toArray(),
        pts.stream().mapToDouble(p -> p[1]).toArray(),
        a.choice("channel", Channel.RGB, Channel::lookup));
  }

  /** The curve's value at {@code x} (before rounding). */
  public double valueAt(double x) {
    int n = xs.length;
    if (x <= xs[0]) {
      return ys[0];
    }
    if (x >= xs[n - 1]) {
      return ys[n - 1];
    }
    double[] m = tangents();
    int k = 0;
    while (x > xs[k + 1]) {
      k++;
    }
    double h = xs[k + 1] - xs[k];
    double t = (x - xs[k]) / h;
    double t2 = t * t;
    double t3 = t2 * t;
    return (2 * t3 - 3 * t2 + 1) * ys[k]
        + (t3 - 2 * t2 + t) * h * m[k]
        + (-2 * t3 + 3 * t2) * ys[k + 1]
        + (t3 - t2) * h * m[k + 1];
  }

  /** Fritsch-Carlson tangents: averaged secants, zero at extrema, limited to keep monotonicity. */
  private double[] tangents() {
    int n = xs.length;
    double[] d = new double[n - 1];
    for (int k = 0; k < n - 1; k++) {
      d[k] = (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]);
    }
    double[] m = new double[n];
    m[0] = d[0];
    m[n - 1] = d[n - 2];
    for (int k = 1; k < n - 1; k++) {
      m[k] = d[k - 1] * d[k] <= 0 ? 0 : (d[k - 1] + d[k]) / 2;
    }
    for (int k = 0; k < n - 1; k++) {
      if (d[k] == 0) {
        m[k] = 0;
        m[k + 1] = 0;
        continue;
      }
      double a = m[k] / d[k];
      double b = m[k + 1] / d[k];
      double s = a * a + b * b;
      if (s > 9) {
        double tau = 3 / Math.sqrt(s);
        m[k] = tau * a * d[k];
        m[k + 1] = tau * b * d[k];
      }
    }
    return m;
  }

  @Override
  public OpKind kind() {
    return OpKind.CURVE;
  }

  @Override
  public BufferedImage apply(BufferedImage image) {
    int[] curve = Pixels.lut(c -> Pixels.clamp8(valueAt(c)));
    int[] id = Pixels.lut(c -> c);
    return Pixels.of(image)
        .mapChannels(
            channel == Channel.RGB || channel == Channel.RED ? curve : id,
            channel == Channel.RGB || channel == Channel.GREEN ? curve : id,
            channel == Channel.RGB || channel == Channel.BLUE ? curve : id)
        .toImage();
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "points",
        java.util.stream.IntStream.range(0, xs.length)
            .mapToObj(i -> Check.num(xs[i]) + "/" + Check.num(ys[i]))
            .collect(Collectors.joining(";")));
    m.put("channel", channel);
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ToneCurve c
        && Arrays.equals(xs, c.xs)
        && Arrays.equals(ys, c.ys)
        && channel == c.channel;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(xs) + Arrays.hashCode(ys)) + channel.hashCode();
  }

  @Override
  public String toString() {
    return spec();
  }
}

package atelier.image.basemap;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-level tone operations: brightness, contrast, gamma and levels. Each maps R, G and B
 * through one 256-entry table (alpha kept); values are 8-bit levels, rounded half up and clamped.
 */
public final class ToneOps {
  private ToneOps() {}

  private static BufferedImage map(BufferedImage image, int[] lut) {
    return Pixels.of(image).mapChannels(lut, lut, lut).toImage();
  }

  /**
   * Adds {@code amount × 255} to every level.
   *
   * @param amount -1..1
   */
  public record Brightness(double amount) implements BasemapOp {
    public Brightness {
      Check.range("brightness", "amount", amount, -1, 1);
    }

    static Brightness of(OpArgs a) {
      return new Brightness(a.number("amount", 0));
    }

    @Override
    public OpKind kind() {
      return OpKind.BRIGHTNESS;
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      return map(image, Pixels.lut(c -> Pixels.clamp8(c + 255 * amount)));
    }

    @Override
    public Map<String, Object> params() {
      return Map.of("amount", amount);
    }
  }

  /**
   * Scales the distance from mid-grey: {@code (c - 127.5) × amount + 127.5}.
   *
   * @param amount 0..10 (1 unchanged, 0 flat grey)
   */
  public record Contrast(double amount) implements BasemapOp {
    public Contrast {
      Check.range("contrast", "amount", amount, 0, 10);
    }

    static Contrast of(OpArgs a) {
      return new Contrast(a.number("amount", 1));
    }

    @Override
    public OpKind kind() {
      return OpKind.CONTRAST;
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      return map(image, Pixels.lut(c -> Pixels.clamp8((c - 127.5) * amount + 127.5)));
    }

    @Override
    public Map<String, Object> params() {
      return Map.of("amount", amount);
    }
  }

  /**
   * Gamma correction: {@code 255 × (c/255)^(1/value)}, so values above 1 brighten mid-tones.
   *
   * @param value more than 0, at most 10
   */
  public record Gamma(double value) implements BasemapOp {
    public Gamma {
      Check.positive("gamma", "value", value, 10);
    }

    static Gamma of(OpArgs a) {
      return new Gamma(a.number("value", 1));
    }

    @Override
    public OpKind kind() {
      return OpKind.GAMMA;
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      return map(image, Pixels.lut(c -> Pixels.clamp8(255 * Math.pow(c / 255.0, 1 / value))));
    }

    @Override
    public Map<String, Object> params() {
      return Map.of("value", value);
    }
  }

  /**
   * Levels as in photo editors: {@code t = clamp((c - black)/(white - black), 0, 1)^(1/gamma)},
   * then {@code outBlack + t × (outWhite - outBlack)}.
   *
   * @param black input black point, 0..254
   * @param white input white point, above black, at most 255
   * @param gamma mid-tone gamma, more than 0, at most 10
   * @param outBlack output level for black, 0..255
   * @param outWhite output level for white, 0..255 (below outBlack inverts)
   */
  public record Levels(double black, double white, double gamma, double outBlack, double outWhite)
      implements BasemapOp {
    public Levels {
      Check.range("levels", "black", black, 0, 254);
      Check.range("levels", "white", white, black + 1, 255);
      Check.positive("levels", "gamma", gamma, 10);
      Check.range("levels", "outBlack", outBlack, 0, 255);
      Check.range("levels", "outWhite", outWhite, 0, 255);
    }

    static Levels of(OpArgs a) {
      return new Levels(
          a.number("black", 0),
          a.number("white", 255),
          a.number("gamma", 1),
          a.number("outBlack", 0),
          a.number("outWhite", 255));
    }

    @Override
    public OpKind kind() {
      return OpKind.LEVELS;
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      return map(
          image,
          Pixels.lut(
              c -> {
                double t = Math.max(0, Math.min(1, (c - black) / (white - black)));
                return Pixels.clamp8(outBlack + Math.pow(t, 1 / gamma) * (outWhite - outBlack));
              }));
    }

    @Override
    public Map<String, Object> params() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("black", black);
      m.put("white", white);
      m.put("gamma", gamma);
      m.put("outBlack", outBlack);
      m.put("outWhite", outWhite);
      return m;
    }
  }
}

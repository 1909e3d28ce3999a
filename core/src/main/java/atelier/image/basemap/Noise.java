package atelier.image.basemap;

import atelier.BadRequestException;
import java.util.Locale;

/**
 * The {@code noise} op's two types: {@code noise:gaussian,sigma=0.1,seed=7,mode=color} ({@link
 * GaussianNoise}) and {@code noise:perlin,mode=mixed,seed=7} ({@link PerlinNoise}).
 */
public final class Noise {
  private Noise() {}

  /** The noise types. */
  public enum Type {
    GAUSSIAN,
    PERLIN;

    /** Finds a type by name; unknown names get the list of valid ones. */
    public static Type lookup(String name) {
      return switch (name.strip().toLowerCase(Locale.ROOT)) {
        case "gaussian", "normal" -> GAUSSIAN;
        case "perlin" -> PERLIN;
        default ->
            throw new BadRequestException(
                "type: expected one of gaussian, perlin, found '" + name + "'");
      };
    }
  }

  /** Colour modes, as Disco Diffusion names them ({@code perlin_mode}). */
  public enum Mode {
    /** Independent noise per channel. */
    COLOR,
    /** One noise for all channels. */
    GRAY,
    /** Perlin only: colour large-scale noise plus grey fine noise (Disco Diffusion's default). */
    MIXED;

    /** Finds a mode by name (British spellings accepted); unknown names get the valid ones. */
    public static Mode lookup(String name) {
      return switch (name.strip().toLowerCase(Locale.ROOT)) {
        case "color", "colour" -> COLOR;
        case "gray", "grey" -> GRAY;
        case "mixed" -> MIXED;
        default ->
            throw new BadRequestException(
                "mode: expected one of color, gray, mixed, found '" + name + "'");
      };
    }
  }

  static BasemapOp of(OpArgs a) {
    Type type = a.choice("type", Type.GAUSSIAN, Type::lookup);
    return switch (type) {
      case GAUSSIAN ->
          new GaussianNoise(
              a.number("sigma", 0.1),
              a.seed("seed", 0),
              a.choice("mode", Mode.COLOR, Mode::lookup));
      case PERLIN ->
          new PerlinNoise(
              a.choice("mode", Mode.MIXED, Mode::lookup), a.seed("seed", 0), a.number("mix", 1));
    };
  }
}

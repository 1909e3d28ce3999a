package atelier.upscale;

import atelier.BadRequestException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How to upscale one image.
 *
 * @param scale the wanted factor (1 to 16); a model of another scale runs as many times as needed
 *     to reach it and the result is resampled (Lanczos) to exactly this factor
 * @param tile tile side in input pixels, 0 for the whole image at once, or null to choose from
 *     {@code memoryBudgetBytes}
 * @param overlap overlap of neighbouring tiles in input pixels
 * @param memoryBudgetBytes the working memory one model run may use when {@code tile} is null
 * @param alpha how a transparent image's alpha channel is upscaled
 */
public record UpscaleOptions(
    int scale, Integer tile, int overlap, long memoryBudgetBytes, Alpha alpha) {

  /** Default tile overlap in input pixels (see docs/upscale.md for the seam measurements). */
  public static final int DEFAULT_OVERLAP = 24;

  /** Default working-memory budget for automatic tiles: 1 GiB. */
  public static final long DEFAULT_BUDGET = 1L << 30;

  /** How the alpha channel is upscaled; colours are always upscaled by the model. */
  public enum Alpha {
    /** Through the model as a grey image, as Real-ESRGAN's inference script does by default. */
    MODEL,
    /** Lanczos-3 resampling: cheaper, softer edges. */
    LANCZOS;

    /** The name used on the command line. */
    public String cliName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The mode called {@code name}.
     *
     * @throws BadRequestException naming the valid modes when none matches
     */
    public static Alpha lookup(String name) {
      for (Alpha a : values()) {
        if (a.cliName().equalsIgnoreCase(name.trim())) {
          return a;
        }
      }
      throw new BadRequestException(
          "alpha: expected one of "
              + Arrays.stream(values()).map(Alpha::cliName).collect(Collectors.joining(", "))
              + ", found '"
              + name
              + "'");
    }
  }

  public UpscaleOptions {
    if (scale < 1 || scale > 16) {
      throw new BadRequestException("scale: expected 1 to 16, found " + scale);
    }
    if (tile != null && tile != 0 && tile < Tiler.MIN_TILE) {
      throw new BadRequestException(
          "tile: expected 0 (whole image) or at least "
              + Tiler.MIN_TILE
              + " pixels, found "
              + tile);
    }
    if (overlap < 0 || overlap > 256) {
      throw new BadRequestException("overlap: expected 0 to 256 pixels, found " + overlap);
    }
    if (memoryBudgetBytes < (16L << 20)) {
      throw new BadRequestException(
          "memory budget: expected at least 16 MiB, found " + (memoryBudgetBytes >> 20) + " MiB");
    }
    alpha = alpha == null ? Alpha.MODEL : alpha;
  }

  /** Options for {@code scale} with automatic tiles, the default overlap, budget and alpha mode. */
  public static UpscaleOptions of(int scale) {
    return new UpscaleOptions(scale, null, DEFAULT_OVERLAP, DEFAULT_BUDGET, Alpha.MODEL);
  }

  /** The same options with a fixed tile side (0: whole image). */
  public UpscaleOptions withTile(Integer side) {
    return new UpscaleOptions(scale, side, overlap, memoryBudgetBytes, alpha);
  }
}

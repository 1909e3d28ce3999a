package atelier.jobs;

import atelier.BadRequestException;
import atelier.upscale.UpscaleOptions;

/**
 * An upscale job: one picture, given as a file ({@code input}) or its bytes ({@code inputData},
 * base64 in JSON), enlarged by a super-resolution model; the output keeps the input's PNG text
 * chunks and adds the upscale record. Checked at construction with the messages of {@code atelier
 * upscale}.
 *
 * @param input the picture file, or null
 * @param inputData the picture file's bytes, or null
 * @param scale 2, 3, 4 or 8 (null: 4)
 * @param model an installed upscaler id or family, a folder or an {@code .onnx} file; null for the
 *     installed default
 * @param tile tile side in input pixels, 0 for the whole image, null for automatic
 * @param overlap tile overlap in input pixels (null: {@link UpscaleOptions#DEFAULT_OVERLAP})
 * @param memoryMb working memory per model run for automatic tiles, in MiB (null: 1024)
 * @param alpha {@code model} or {@code lanczos} (null: model)
 */
public record UpscaleSpec(
    String input,
    byte[] inputData,
    Integer scale,
    String model,
    Integer tile,
    Integer overlap,
    Long memoryMb,
    String alpha)
    implements JobSpec {

  /** The kind name in queues and JSON. */
  public static final String KIND = "upscale";

  public UpscaleSpec {
    if (input == null && inputData == null) {
      throw new BadRequestException("input: expected an image file or its bytes, found none");
    }
    if (input != null && inputData != null) {
      throw new BadRequestException("input/inputData: expected one image, found both");
    }
    scale = scale == null ? 4 : scale;
    if (scale != 2 && scale != 3 && scale != 4 && scale != 8) {
      throw new BadRequestException("--scale: expected 2, 3, 4 or 8, found " + scale);
    }
    options(scale, tile, overlap, memoryMb, alpha);
  }

  /** An upscale of a file with every option at its default. */
  public static UpscaleSpec of(String file, int scale) {
    return new UpscaleSpec(file, null, scale, null, null, null, null, null);
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** The upscaling options. */
  public UpscaleOptions options() {
    return options(scale, tile, overlap, memoryMb, alpha);
  }

  /**
   * Upscaling options from front-end values, each null for its default; a memory budget out of
   * range is a bad request.
   */
  public static UpscaleOptions options(
      int scale, Integer tile, Integer overlap, Long memoryMb, String alpha) {
    if (memoryMb != null && (memoryMb < 0 || memoryMb > (1L << 40))) {
      throw new BadRequestException(
          "memory budget: expected at least 16 MiB, found " + memoryMb + " MiB");
    }
    return new UpscaleOptions(
        scale,
        tile,
        overlap != null ? overlap : UpscaleOptions.DEFAULT_OVERLAP,
        memoryMb != null ? memoryMb << 20 : UpscaleOptions.DEFAULT_BUDGET,
        alpha != null ? UpscaleOptions.Alpha.lookup(alpha) : UpscaleOptions.Alpha.MODEL);
  }
}

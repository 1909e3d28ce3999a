package atelier.pipeline;

import atelier.BadRequestException;
import java.util.Locale;

/**
 * How a picture is inpainted, as stored in each image's record and accepted in job specs: which
 * mask (its source and SHA-256), and A1111's inpainting settings. The mask's pixels travel beside
 * these settings ({@link Inpaint}); here only what names and reproduces them.
 *
 * @param mask the mask's source (a path or description), or null when the spec carries it as bytes
 * @param maskSha256 hex SHA-256 of the mask file's bytes, or null (any)
 * @param blur A1111's mask blur: the Gaussian's sigma in pixels, 0 to 64 (0: none; default 4)
 * @param fill what the masked area starts from: {@code original}, {@code fill}, {@code noise} or
 *     {@code nothing} (A1111's inpainting_fill; default {@code original})
 * @param onlyMasked A1111's "inpaint only masked": generate a crop around the mask at the full
 *     generation size and paste it back
 * @param padding pixels added around the mask's bounding box with {@code onlyMasked}, 0 to 256
 *     (default 32)
 * @param pasteBack paste the original back outside the mask through the blurred mask (default true,
 *     as A1111)
 * @param invert repaint the black part of the mask instead of the white
 * @param outpaint extend the canvas ({@link Outpaint}, e.g. {@code
 *     left=64,top=0,right=64,bottom=0}) and repaint the new area with a mask made for it (then
 *     {@code mask} is null), or null
 */
public record InpaintSettings(
    String mask,
    String maskSha256,
    Integer blur,
    String fill,
    Boolean onlyMasked,
    Integer padding,
    Boolean pasteBack,
    Boolean invert,
    String outpaint) {

  /** The default mask blur, as A1111's. */
  public static final int DEFAULT_BLUR = 4;

  /** The default padding around the mask with only-masked, as A1111's. */
  public static final int DEFAULT_PADDING = 32;

  public InpaintSettings {
    blur = blur == null ? DEFAULT_BLUR : blur;
    if (outpaint != null) {
      outpaint = Outpaint.parse(outpaint).toString();
      if (mask != null) {
        throw new BadRequestException(
            "mask/outpaint: expected a mask or an outpainting, found both");
      }
    }
    fill = Fill.lookup(fill == null ? (outpaint != null ? "fill" : "original") : fill).cliName();
    onlyMasked = onlyMasked != null && onlyMasked;
    padding = padding == null ? DEFAULT_PADDING : padding;
    pasteBack = pasteBack == null || pasteBack;
    invert = invert != null && invert;
    if (blur < 0 || blur > 64) {
      throw new BadRequestException("mask blur: expected 0 to 64 pixels, found " + blur);
    }
    if (padding < 0 || padding > 256) {
      throw new BadRequestException("mask padding: expected 0 to 256 pixels, found " + padding);
    }
  }

  /** The settings with everything at its default, for the mask {@code source}. */
  public static InpaintSettings defaults(String source, String sha256) {
    return new InpaintSettings(source, sha256, null, null, null, null, null, null, null);
  }

  /** The same settings naming another mask source and hash. */
  public InpaintSettings withMask(String source, String sha256) {
    return new InpaintSettings(
        source, sha256, blur, fill, onlyMasked, padding, pasteBack, invert, outpaint);
  }

  /** The fill mode. */
  public Fill fillMode() {
    return Fill.lookup(fill);
  }

  /**
   * What the masked area starts from (A1111's {@code inpainting_fill}): the original picture, the
   * picture's colours spread in from around the mask ({@code fill}), fresh latent noise, or zero
   * latents ({@code nothing}). The latent modes change the start of image-to-image, so they act
   * only below strength 1.
   */
  public enum Fill {
    FILL("fill", 0),
    ORIGINAL("original", 1),
    NOISE("noise", 2),
    NOTHING("nothing", 3);

    private final String cliName;
    private final int a1111;

    Fill(String cliName, int a1111) {
      this.cliName = cliName;
      this.a1111 = a1111;
    }

    public String cliName() {
      return cliName;
    }

    /** A1111's {@code inpainting_fill} number (0 fill, 1 original, 2 latent noise, 3 nothing). */
    public int a1111() {
      return a1111;
    }

    /** A1111's name in its infotext ("Masked content"). */
    public String a1111Name() {
      return switch (this) {
        case FILL -> "fill";
        case ORIGINAL -> "original";
        case NOISE -> "latent noise";
        case NOTHING -> "latent nothing";
      };
    }

    /** By name ({@code latent-noise}, {@code latent_nothing} accepted too) or A1111's number. */
    public static Fill lookup(String name) {
      String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
      if (n.startsWith("latent-")) {
        n = n.substring("latent-".length());
      }
      for (Fill f : values()) {
        if (f.cliName.equals(n) || String.valueOf(f.a1111).equals(n)) {
          return f;
        }
      }
      throw new BadRequestException(
          "mask fill: expected original, fill, noise or nothing (or A1111's 0 to 3), found '"
              + name
              + "'");
    }

    /** By A1111's number. */
    public static Fill ofA1111(int n) {
      for (Fill f : values()) {
        if (f.a1111 == n) {
          return f;
        }
      }
      throw new BadRequestException(
          "inpainting_fill: expected 0 (fill), 1 (original), 2 (latent noise) or 3 (latent"
              + " nothing), found "
              + n);
    }
  }
}

package atelier.cli;

import atelier.BadRequestException;
import atelier.jobs.Inputs;
import atelier.pipeline.InitImage;
import atelier.pipeline.Inpaint;
import atelier.pipeline.InpaintSettings;
import atelier.pipeline.Outpaint;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code generate}'s inpainting options: {@code --mask} repaints the white part of the basemap,
 * with A1111's mask blur, masked-content fill, "only masked" and paste-back. With {@code --from},
 * unset options take the stored image's inpainting settings.
 */
final class InpaintOptions {
  @Option(
      names = "--mask",
      paramLabel = "MASK.png",
      description = "Inpaint: repaint the white part of the --init basemap, keep the black.")
  Path mask;

  @Option(
      names = "--mask-blur",
      paramLabel = "N",
      description = "Blur the mask's edge by a Gaussian of N pixels, 0-64 (default 4, as A1111).")
  Integer blur;

  @Option(
      names = "--fill",
      paramLabel = "MODE",
      description =
          "What the masked area starts from: original (default), fill (colours from around it),"
              + " noise or nothing (latent).")
  String fill;

  @Option(
      names = "--only-masked",
      description =
          "Repaint a crop around the mask at the full generation size, then paste it back.")
  Boolean onlyMasked;

  @Option(
      names = "--padding",
      paramLabel = "P",
      description = "Pixels around the mask with --only-masked, 0-256 (default 32).")
  Integer padding;

  @Option(
      names = "--no-paste-back",
      description =
          "Keep the decoder's pixels outside the mask too (default: the original is pasted back"
              + " through the blurred mask).")
  Boolean noPasteBack;

  @Option(
      names = "--mask-invert",
      description = "Repaint the black part of the mask instead of the white.")
  Boolean invert;

  @Option(
      names = {"--outpaint", "--extend"},
      paramLabel = "SIDES",
      description =
          "Outpaint: extend the --init canvas, e.g. left=256,right=256 (multiples of 8; x=, y="
              + " for both sides), and paint the new area (fill: fill).")
  String outpaint;

  /** The inpainting settings from the options over the stored ones, or null for none. */
  InpaintSettings settings(InpaintSettings stored) {
    InpaintSettings s = stored;
    if (mask != null && outpaint != null) {
      throw new BadRequestException("--mask and --outpaint: expected one of them, found both");
    }
    if (mask == null && outpaint == null && s == null) {
      if (blur != null
          || fill != null
          || onlyMasked != null
          || padding != null
          || noPasteBack != null
          || invert != null) {
        throw new BadRequestException(
            "--mask-blur, --fill, --only-masked, --padding, --no-paste-back and --mask-invert"
                + " apply to inpainting; expected --mask MASK.png (or --outpaint) too, found"
                + " none");
      }
      return null;
    }
    boolean only = onlyMasked != null ? onlyMasked : s != null && s.onlyMasked();
    if (padding != null && !only) {
      throw new BadRequestException(
          "--padding: applies to --only-masked; expected --only-masked too, found none");
    }
    boolean own = mask != null || outpaint != null;
    return new InpaintSettings(
        mask != null ? mask.toString() : own ? null : s.mask(),
        own ? null : s.maskSha256(),
        blur != null ? blur : s == null ? null : s.blur(),
        fill != null ? fill : s == null ? null : s.fill(),
        only,
        padding != null ? padding : s == null ? null : s.padding(),
        noPasteBack != null ? Boolean.valueOf(!noPasteBack) : s == null ? null : s.pasteBack(),
        invert != null ? invert : s == null ? null : s.invert(),
        outpaint != null ? outpaint : own ? null : s.outpaint());
  }

  /**
   * The basemap and inpainting for the request: the mask read, or for outpainting the extended
   * canvas and its mask; the basemap unchanged and no inpainting without these options.
   */
  Outpaint.Prepared prepare(InitImage init, InpaintSettings stored) {
    InpaintSettings s = settings(stored);
    if (s == null || init == null) {
      return new Outpaint.Prepared(init, s == null ? null : inpaint(s));
    }
    return s.outpaint() != null
        ? Outpaint.prepare(init, s)
        : new Outpaint.Prepared(init, inpaint(s));
  }

  private static Inpaint inpaint(InpaintSettings s) {
    if (s.mask() == null) {
      throw new BadRequestException(
          "--outpaint: extends a basemap; expected an init image (--init), found none");
    }
    InitImage m = Inputs.readMask(Path.of(s.mask()), s.maskSha256());
    return new Inpaint(m.image(), s.withMask(m.source(), m.sha256()));
  }
}

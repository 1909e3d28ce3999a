package atelier.upscale;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.diffusion.SchedulerKind;
import atelier.image.PngText;
import atelier.model.ModelHasher;
import atelier.pipeline.Artwork;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.GenerationResult;
import atelier.pipeline.GenerationSettings;
import atelier.pipeline.Infotext;
import atelier.pipeline.InitImage;
import atelier.pipeline.StableDiffusion;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * "Generate small, then upscale" (A1111's hires fix): a generated image is upscaled by a neural
 * upscaler and, optionally, run again through image-to-image at the upscaled size with a low
 * strength so the model adds detail at the new resolution. The second pass uses the first one's
 * prompt, negative prompt, sampler, guidance and seed; its own step count and strength.
 *
 * <p>Stateless; the model and upscaler may be shared.
 */
public final class HiresFix {
  /** The text chunk with the second pass's record (JSON), when there is one. */
  public static final String HIRES_RECORD = "atelier-hires";

  private HiresFix() {}

  /**
   * What to do after generating.
   *
   * @param upscale the upscale step (its scale is A1111's "Hires upscale")
   * @param strength the image-to-image strength of the second pass (0 < s ≤ 1), or null for no
   *     second pass (upscale only)
   * @param steps the second pass's sampler steps, or null for the first pass's
   */
  public record Settings(UpscaleOptions upscale, Double strength, Integer steps) {
    public Settings {
      java.util.Objects.requireNonNull(upscale, "upscale");
      if (strength != null && !(strength > 0 && strength <= 1)) {
        throw new BadRequestException(
            "hires strength: expected more than 0 and at most 1, found " + strength);
      }
      if (steps != null && (steps < 1 || steps > 1000)) {
        throw new BadRequestException("hires steps: expected 1 to 1000, found " + steps);
      }
      if (strength == null && steps != null) {
        throw new BadRequestException(
            "hires steps: apply to the image-to-image pass; expected --hires-strength too, found"
                + " none");
      }
    }
  }

  /**
   * The second pass's record.
   *
   * @param strength image-to-image strength
   * @param steps sampler steps asked for
   * @param seed the seed (the first pass's)
   * @param width the pass's width
   * @param height the pass's height
   * @param millis its wall time
   */
  public record HiresRecord(
      double strength, int steps, long seed, int width, int height, long millis) {}

  /**
   * The final image, the first pass's artwork (its record reproduces the first pass), the upscale
   * step and the second pass's record (null without one).
   */
  public record Result(
      BufferedImage image, Artwork base, UpscaleRecord upscale, HiresRecord hires) {

    /**
     * The PNG text chunks: the first pass's A1111 parameters with A1111's hires fields added, its
     * Atelier record, the upscale record and, with a second pass, its record.
     */
    public Map<String, String> texts() {
      Map<String, String> t = new LinkedHashMap<>();
      StringBuilder p = new StringBuilder(Infotext.format(base.record()));
      p.append(String.format(Locale.ROOT, ", Hires upscale: %d", upscale.scale()));
      if (hires != null) {
        p.append(String.format(Locale.ROOT, ", Hires steps: %d", hires.steps()));
      }
      p.append(", Hires upscaler: ").append(upscale.model());
      if (hires != null) {
        p.append(", Denoising strength: ").append(number(hires.strength()));
      }
      t.put(ArtworkPng.PARAMETERS, p.toString());
      try {
        t.put(ArtworkPng.RECORD, ArtworkPng.json().writeValueAsString(base.record()));
        if (hires != null) {
          t.put(HIRES_RECORD, ArtworkPng.json().writeValueAsString(hires));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("serialising the image record failed", e);
      }
      Map<String, String> out = UpscalePng.texts(t, upscale);
      out.remove(UpscalePng.POSTPROCESSING); // part of generation here, not an Extras step
      return out;
    }
  }

  /**
   * Upscales {@code base} and, when {@code settings.strength()} is set, repaints it at the new
   * size.
   *
   * @throws BadRequestException when the second pass cannot run at that size (a UNet with a fixed
   *     latent size) or the model has no VAE encoder
   */
  public static Result apply(
      StableDiffusion sd,
      Upscaler upscaler,
      Artwork base,
      Settings settings,
      ProgressListener listener,
      CancelToken cancel) {
    Upscaling.Result up =
        Upscaling.run(upscaler, base.image(), settings.upscale(), listener, cancel);
    if (settings.strength() == null) {
      return new Result(up.image(), base, up.record(), null);
    }
    long started = System.nanoTime();
    GenerationSettings s = base.record().settings();
    // Image-to-image sizes are multiples of 8; the pipeline fits the basemap to them.
    int w = up.image().getWidth() / 8 * 8;
    int h = up.image().getHeight() / 8 * 8;
    int[] fixed = sd.unet().fixedLatentSize();
    if ((fixed[0] > 0 && fixed[0] != h / 8) || (fixed[1] > 0 && fixed[1] != w / 8)) {
      throw new BadRequestException(
          "hires fix: expected a model that can run image-to-image at "
              + w
              + "×"
              + h
              + ", found a UNet fixed to "
              + fixed[1] * 8
              + "×"
              + fixed[0] * 8
              + "; upscale without --hires-strength");
    }
    int steps = settings.steps() != null ? settings.steps() : s.steps();
    InitImage init =
        new InitImage(
            up.image(),
            "hires: " + up.record().model() + " ×" + up.record().scale(),
            ModelHasher.sha256Of(PngText.encode(up.image(), Map.of())));
    GenerationRequest request =
        GenerationRequest.builder(s.prompt())
            .negativePrompt(s.negativePrompt())
            .size(w, h)
            .steps(steps)
            .guidance(s.guidance())
            .scheduler(SchedulerKind.lookup(s.scheduler()))
            .eta(s.eta())
            .seed(s.seed())
            .batch(1)
            .init(init)
            .strength(settings.strength())
            .clipSkip(s.clipSkip())
            .variation(s.subseed(), s.subseedStrength()) // A1111's hires pass varies as well
            .build();
    GenerationResult second = sd.generate(request, listener, cancel);
    BufferedImage image = second.images().get(0).image();
    HiresRecord record =
        new HiresRecord(
            settings.strength(), steps, s.seed(), w, h, (System.nanoTime() - started) / 1_000_000);
    return new Result(image, base, up.record(), record);
  }

  private static String number(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}

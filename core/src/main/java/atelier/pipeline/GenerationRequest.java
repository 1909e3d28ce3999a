package atelier.pipeline;

import atelier.BadRequestException;
import atelier.diffusion.SchedulerKind;
import atelier.image.Resize;
import java.util.Objects;

/**
 * What to generate. Fields left null take the model's defaults when the request is resolved ({@link
 * GenerationSettings}); given fields are checked here, so a bad request fails before any model work
 * starts.
 *
 * @param prompt the prompt, in Atelier's prompt language (README: "Prompt syntax")
 * @param negativePrompt what to steer away from ("" for none)
 * @param width image width in pixels (a multiple of 8), or null for the model's default
 * @param height image height in pixels (a multiple of 8), or null for the model's default
 * @param steps sampler steps (1..1000), or null for the model family's default
 * @param guidance classifier-free guidance scale (0..100; ≤ 1 turns guidance off), or null
 * @param scheduler the sampler, or null for the model's own scheduler
 * @param eta DDIM's eta (0..1), or null for 0
 * @param seed the first image's seed (image i gets seed + i), or null (or -1) for a random one
 * @param batch number of images (1..64)
 * @param init the basemap for image-to-image, or null for text-to-image
 * @param strength how much of the basemap to repaint (0 < s ≤ 1), or null (0.75 with a basemap)
 * @param fit how the basemap is brought to the target size
 * @param symmetry latent mirroring during the first steps, or null for none
 * @param clipSkip A1111's "Clip skip": 1 (or null) uses the text encoder's last layer, N uses the
 *     N-th layer from the end followed by the final layer norm (1 to 12)
 * @param subseed A1111's variation seed, or null (or -1): a random one when a strength is given
 * @param subseedStrength how far the start noise moves from the seed's towards the variation seed's
 *     (spherical interpolation, 0 to 1), or null for none
 * @param controls ControlNets steering the structure, or null for none
 * @param inpaint a mask and inpainting settings (needs {@code init}), or null
 */
public record GenerationRequest(
    String prompt,
    String negativePrompt,
    Integer width,
    Integer height,
    Integer steps,
    Double guidance,
    SchedulerKind scheduler,
    Double eta,
    Long seed,
    int batch,
    InitImage init,
    Double strength,
    Resize.Fit fit,
    Symmetry symmetry,
    Integer clipSkip,
    Long subseed,
    Double subseedStrength,
    Controls controls,
    Inpaint inpaint) {

  /** Largest side Atelier accepts, in pixels. */
  public static final int MAX_SIDE = 8192;

  public GenerationRequest {
    Objects.requireNonNull(prompt, "prompt");
    // A1111's -1: a random seed (drawn when the request is resolved).
    seed = seed != null && seed == -1 ? null : seed;
    subseed = subseed != null && subseed == -1 ? null : subseed;
    negativePrompt = negativePrompt == null ? "" : negativePrompt;
    fit = fit == null ? Resize.Fit.COVER : fit;
    checkSide("width", width);
    checkSide("height", height);
    if (steps != null && (steps < 1 || steps > 1000)) {
      throw new BadRequestException("steps: expected 1 to 1000, found " + steps);
    }
    if (guidance != null && !(guidance >= 0 && guidance <= 100)) {
      throw new BadRequestException("guidance: expected 0 to 100, found " + guidance);
    }
    if (eta != null && !(eta >= 0 && eta <= 1)) {
      throw new BadRequestException("eta: expected 0 to 1, found " + eta);
    }
    if (batch < 1 || batch > 64) {
      throw new BadRequestException("batch: expected 1 to 64 images, found " + batch);
    }
    if (strength != null) {
      if (!(strength > 0 && strength <= 1)) {
        throw new BadRequestException(
            "strength: expected more than 0 and at most 1, found " + strength);
      }
      if (init == null) {
        throw new BadRequestException(
            "strength: applies to image-to-image; expected an init image (--init), found none");
      }
    }
    if (inpaint != null && init == null) {
      throw new BadRequestException(
          "mask: inpainting repaints part of a basemap; expected an init image (--init), found"
              + " none");
    }
    if (seed != null && (seed < 0 || seed > 0xFFFF_FFFFL)) {
      throw new BadRequestException(
          "seed: expected 0 to 4294967295 (or -1 for a random one), found " + seed);
    }
    if (clipSkip != null && (clipSkip < 1 || clipSkip > MAX_CLIP_SKIP)) {
      throw new BadRequestException(
          "clip skip: expected 1 to " + MAX_CLIP_SKIP + " layers, found " + clipSkip);
    }
    if (subseed != null && (subseed < 0 || subseed > 0xFFFF_FFFFL)) {
      throw new BadRequestException(
          "subseed: expected 0 to 4294967295 (or -1 for a random one), found " + subseed);
    }
    if (subseedStrength != null && !(subseedStrength >= 0 && subseedStrength <= 1)) {
      throw new BadRequestException("subseed strength: expected 0 to 1, found " + subseedStrength);
    }
    if (subseed != null && subseedStrength == null) {
      throw new BadRequestException(
          "subseed: applies with a subseed strength; expected --subseed-strength X too, found"
              + " none");
    }
  }

  /** The largest clip skip (A1111's slider goes to 12). */
  public static final int MAX_CLIP_SKIP = 12;

  /** Whether the start noise blends in a variation seed's (a strength above 0). */
  public boolean varies() {
    return subseedStrength != null && subseedStrength > 0;
  }

  private static void checkSide(String name, Integer v) {
    if (v == null) {
      return;
    }
    if (v < 8 || v > MAX_SIDE || v % 8 != 0) {
      throw new BadRequestException(
          name + ": expected a multiple of 8 from 8 to " + MAX_SIDE + " pixels, found " + v);
    }
  }

  /** A builder with every optional field unset. */
  public static Builder builder(String prompt) {
    return new Builder(prompt);
  }

  /** This request as a builder, to change some fields. */
  public Builder toBuilder() {
    Builder b = new Builder(prompt);
    b.negativePrompt = negativePrompt;
    b.width = width;
    b.height = height;
    b.steps = steps;
    b.guidance = guidance;
    b.scheduler = scheduler;
    b.eta = eta;
    b.seed = seed;
    b.batch = batch;
    b.init = init;
    b.strength = strength;
    b.fit = fit;
    b.symmetry = symmetry;
    b.clipSkip = clipSkip;
    b.subseed = subseed;
    b.subseedStrength = subseedStrength;
    b.controls = controls;
    b.inpaint = inpaint;
    return b;
  }

  /** Builds a {@link GenerationRequest}; checks happen in {@link #build()}. */
  public static final class Builder {
    private String prompt;
    private String negativePrompt = "";
    private Integer width;
    private Integer height;
    private Integer steps;
    private Double guidance;
    private SchedulerKind scheduler;
    private Double eta;
    private Long seed;
    private int batch = 1;
    private InitImage init;
    private Double strength;
    private Resize.Fit fit;
    private Symmetry symmetry;
    private Integer clipSkip;
    private Long subseed;
    private Double subseedStrength;
    private Controls controls;
    private Inpaint inpaint;

    private Builder(String prompt) {
      this.prompt = prompt;
    }

    /** Replaces the prompt the builder was made with. */
    public Builder prompt(String v) {
      prompt = v;
      return this;
    }

    public Builder negativePrompt(String v) {
      negativePrompt = v;
      return this;
    }

    public Builder size(Integer w, Integer h) {
      width = w;
      height = h;
      return this;
    }

    public Builder steps(Integer v) {
      steps = v;
      return this;
    }

    public Builder guidance(Double v) {
      guidance = v;
      return this;
    }

    public Builder scheduler(SchedulerKind v) {
      scheduler = v;
      return this;
    }

    public Builder eta(Double v) {
      eta = v;
      return this;
    }

    public Builder seed(Long v) {
      seed = v;
      return this;
    }

    public Builder batch(int v) {
      batch = v;
      return this;
    }

    public Builder init(InitImage v) {
      init = v;
      return this;
    }

    public Builder strength(Double v) {
      strength = v;
      return this;
    }

    public Builder fit(Resize.Fit v) {
      fit = v;
      return this;
    }

    public Builder symmetry(Symmetry v) {
      symmetry = v;
      return this;
    }

    /** A1111's clip skip (null: 1, the last layer). */
    public Builder clipSkip(Integer v) {
      clipSkip = v;
      return this;
    }

    /** A1111's variation seed and strength (seed null: random when the strength is above 0). */
    public Builder variation(Long seed, Double strength) {
      subseed = seed;
      subseedStrength = strength;
      return this;
    }

    public Builder controls(Controls v) {
      controls = v;
      return this;
    }

    /** Inpaint the basemap where the mask is white (null: plain image-to-image). */
    public Builder inpaint(Inpaint v) {
      inpaint = v;
      return this;
    }

    public GenerationRequest build() {
      return new GenerationRequest(
          prompt,
          negativePrompt,
          width,
          height,
          steps,
          guidance,
          scheduler,
          eta,
          seed,
          batch,
          init,
          strength,
          fit,
          symmetry,
          clipSkip,
          subseed,
          subseedStrength,
          controls,
          inpaint);
    }
  }
}

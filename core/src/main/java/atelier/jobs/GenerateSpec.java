package atelier.jobs;

import atelier.BadRequestException;
import atelier.diffusion.SchedulerKind;
import atelier.image.Resize;
import atelier.model.lora.LoraRequest;
import atelier.pipeline.Controls;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.InitImage;
import atelier.pipeline.Inpaint;
import atelier.pipeline.InpaintSettings;
import atelier.pipeline.Outpaint;
import atelier.pipeline.Symmetry;
import atelier.text.LoraTags;
import atelier.upscale.HiresFix;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A generation job: text-to-image, or image-to-image from a basemap given as a file ({@code init})
 * or as the file's bytes ({@code initData}, base64 in JSON); optionally best-of-N ({@code
 * candidates}, {@code keep}, {@code minScore}, {@code scorers}) and upscaling with an optional
 * hires-fix pass ({@code upscale}, {@code upscaler}, {@code hiresStrength}, {@code hiresSteps},
 * {@code tile}). Field names are those of the {@code settings} in an image's JSON record, so a
 * stored record's settings are a valid spec. Null fields take the model's defaults.
 *
 * <p>Checked at construction with the messages {@code atelier generate} gives; the basemap itself
 * is read when the job runs ({@link #request()}).
 *
 * @param model a model folder, an installed model id or a catalog id; null for the default
 * @param batch images to make (default 1); with {@code candidates}, leave it null
 * @param init a basemap file, or null
 * @param initSha256 the SHA-256 the basemap must have (as recorded), or null
 * @param initData the basemap file's bytes, or null
 * @param candidates best-of-N: how many candidates to make and score, or null for no selection
 * @param keep best-of-N: how many to keep (default 1)
 * @param minScore best-of-N: the lowest ranking score kept, or null
 * @param scorers best-of-N: scorer names, the first ranks (default {@code technical})
 * @param clip a CLIP export for the CLIP-based scorers, or null for the installed one
 * @param aestheticModel the LAION aesthetic graph, or null for the installed one
 * @param upscale enlarge each image by 2, 3, 4 or 8, or null
 * @param upscaler the upscaler id or path, or null for the installed default
 * @param hiresStrength repaint the upscaled image at this image-to-image strength, or null
 * @param hiresSteps the repaint's steps, or null for the first pass's
 * @param tile the upscaler's tile side (0: whole image), or null for automatic
 * @param clipSkip A1111's clip skip (1 to 12), or null for 1
 * @param subseed A1111's variation seed; -1 or null: a random one (fixed by {@link
 *     JobRunner#prepare}) when {@code subseedStrength} is above 0
 * @param subseedStrength the variation strength (0 to 1), or null for none
 * @param controls ControlNets (at most {@link Controls#MAX}), or null for none
 * @param guessMode ControlNet guess mode (null: off)
 * @param loras LoRAs merged into the model for this job (besides {@code <lora:name:w>} tags in the
 *     prompt), or null for none
 * @param inpaint inpainting: the mask file (or null with {@code maskData}), its SHA-256 and the
 *     inpainting settings, as in an image's record; needs a basemap; null for none
 * @param maskData the mask file's bytes (an upload), or null
 */
public record GenerateSpec(
    String model,
    String prompt,
    String negativePrompt,
    Integer width,
    Integer height,
    Integer steps,
    Double guidance,
    String scheduler,
    Double eta,
    Long seed,
    Integer batch,
    String init,
    String initSha256,
    byte[] initData,
    Double strength,
    String fit,
    Symmetry symmetry,
    Integer candidates,
    Integer keep,
    Double minScore,
    List<String> scorers,
    String clip,
    String aestheticModel,
    Integer upscale,
    String upscaler,
    Double hiresStrength,
    Integer hiresSteps,
    Integer tile,
    Integer clipSkip,
    Long subseed,
    Double subseedStrength,
    List<ControlSpec> controls,
    Boolean guessMode,
    List<LoraRequest> loras,
    InpaintSettings inpaint,
    byte[] maskData)
    implements JobSpec {

  /** The kind name in queues and JSON. */
  public static final String KIND = "generate";

  /** A1111's seed for "a random one". */
  public static final long RANDOM = -1;

  public GenerateSpec {
    if (prompt == null) {
      throw new BadRequestException("prompt: expected a prompt (or --from IMAGE.png), found none");
    }
    scorers = scorers == null ? null : List.copyOf(scorers);
    // A1111's -1: a random seed, drawn when the job is prepared (queued), not when it runs.
    seed = seed != null && seed == RANDOM ? null : seed;
    subseed = subseed != null && subseed == RANDOM ? null : subseed;
    loras = loras == null || loras.isEmpty() ? null : List.copyOf(loras);
    LoraTags.find(prompt);
    checkBestOfN(candidates, keep, minScore, scorers, batch);
    controls = controls == null || controls.isEmpty() ? null : List.copyOf(controls);
    if (controls != null) {
      Controls.checkCount(controls.size());
    }
    if (guessMode != null && guessMode && controls == null) {
      throw new BadRequestException(
          "guess mode: applies to ControlNets; expected --control, found none");
    }
    if (init != null && initData != null) {
      throw new BadRequestException("init/initData: expected one basemap, found both");
    }
    if (scheduler != null) {
      SchedulerKind.lookup(scheduler);
    }
    checkInpaint(inpaint, maskData, init != null || initData != null);
    if (fit != null) {
      Resize.Fit.lookup(fit);
    }
    // The request's own checks (sizes, steps, strength without a basemap, …), with a stand-in
    // basemap: the real one is read when the job runs.
    requestWith(
        init == null && initData == null
            ? null
            : new InitImage(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "check", "0"),
        prompt,
        negativePrompt,
        width,
        height,
        steps,
        guidance,
        scheduler,
        eta,
        seed,
        imageCount(candidates, batch),
        strength,
        fit,
        symmetry,
        clipSkip,
        subseed,
        subseedStrength,
        null);
    hiresSettings(upscale, upscaler, hiresStrength, hiresSteps, tile);
  }

  @Override
  public String kind() {
    return KIND;
  }

  private static void checkInpaint(InpaintSettings inpaint, byte[] maskData, boolean basemap) {
    if (inpaint == null) {
      if (maskData != null) {
        throw new BadRequestException(
            "maskData: a mask applies to inpainting; expected inpaint settings with it, found"
                + " none");
      }
      return;
    }
    if (inpaint.mask() != null && maskData != null) {
      throw new BadRequestException("mask/maskData: expected one mask, found both");
    }
    if (inpaint.outpaint() != null && maskData != null) {
      throw new BadRequestException(
          "maskData/outpaint: expected a mask or an outpainting, found both");
    }
    if (inpaint.mask() == null && maskData == null && inpaint.outpaint() == null) {
      throw new BadRequestException(
          "mask: expected a mask file, its bytes or an outpainting, found none");
    }
    if (!basemap) {
      throw new BadRequestException(
          "mask: inpainting repaints part of a basemap; expected an init image (--init), found"
              + " none");
    }
  }

  /** Whether best-of-N selection is asked for. */
  public boolean selects() {
    return candidates != null;
  }

  /** How many images the pipeline makes: the candidates, else the batch. */
  public int images() {
    return imageCount(candidates, batch);
  }

  /** How many images a request makes: {@code candidates} with best-of-N, else the batch (1). */
  public static int imageCount(Integer candidates, Integer batch) {
    return candidates != null ? candidates : batch != null ? batch : 1;
  }

  /** How many images the job keeps: {@code keep} with best-of-N, else the batch. */
  public int kept() {
    return candidates != null ? (keep == null ? 1 : keep) : images();
  }

  /** The upscale settings, or null without {@code upscale}. */
  public HiresFix.Settings hires() {
    return hiresSettings(upscale, upscaler, hiresStrength, hiresSteps, tile);
  }

  /**
   * This spec with {@code seed} when it has none, and a variation seed drawn too when it varies
   * without one (a re-run then makes the same images).
   */
  public GenerateSpec withSeedIfUnset(long drawn) {
    boolean needsSubseed = subseed == null && subseedStrength != null && subseedStrength > 0;
    if (seed != null && !needsSubseed) {
      return this;
    }
    Builder b = toBuilder();
    if (seed == null) {
      b.seed(drawn);
    }
    if (needsSubseed) {
      b.variation(
          java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 32), subseedStrength);
    }
    return b.build();
  }

  /**
   * The pipeline request, reading the basemap.
   *
   * @throws BadRequestException when the basemap is missing, unreadable or not the recorded one
   */
  public GenerationRequest request() {
    InitImage image =
        init != null
            ? Inputs.readInit(java.nio.file.Path.of(init), initSha256)
            : initData != null ? Inputs.decodeInit(initData, "uploaded basemap", initSha256) : null;
    Inpaint mask = null;
    if (inpaint != null && inpaint.outpaint() != null) {
      Outpaint.Prepared p = Outpaint.prepare(image, inpaint);
      image = p.init();
      mask = p.inpaint();
    } else if (inpaint != null) {
      InitImage m =
          inpaint.mask() != null
              ? Inputs.readMask(java.nio.file.Path.of(inpaint.mask()), inpaint.maskSha256())
              : Inputs.decodeMask(maskData, "uploaded mask", inpaint.maskSha256());
      mask = new Inpaint(m.image(), inpaint.withMask(m.source(), m.sha256()));
    }
    return requestWith(
        image,
        prompt,
        negativePrompt,
        width,
        height,
        steps,
        guidance,
        scheduler,
        eta,
        seed,
        images(),
        strength,
        fit,
        symmetry,
        clipSkip,
        subseed,
        subseedStrength,
        mask);
  }

  private static GenerationRequest requestWith(
      InitImage init,
      String prompt,
      String negativePrompt,
      Integer width,
      Integer height,
      Integer steps,
      Double guidance,
      String scheduler,
      Double eta,
      Long seed,
      int batch,
      Double strength,
      String fit,
      Symmetry symmetry,
      Integer clipSkip,
      Long subseed,
      Double subseedStrength,
      Inpaint inpaint) {
    return GenerationRequest.builder(prompt)
        .negativePrompt(negativePrompt == null ? "" : negativePrompt)
        .size(width, height)
        .steps(steps)
        .guidance(guidance)
        .scheduler(scheduler == null ? null : SchedulerKind.lookup(scheduler))
        .eta(eta)
        .seed(seed)
        .batch(batch)
        .init(init)
        .strength(strength)
        .fit(fit == null ? null : Resize.Fit.lookup(fit))
        .symmetry(symmetry)
        .clipSkip(clipSkip)
        .variation(subseed, subseedStrength)
        .inpaint(inpaint)
        .build();
  }

  /** {@code generate}'s best-of-N rules (cli BestOfN until the CLI calls this layer). */
  /**
   * The best-of-N rules of {@code generate --candidates}: {@code --keep}, {@code --min-score} and
   * {@code --scorer} need {@code --candidates}; not with {@code --batch}; a minimum score from 0 to
   * 100 (every scorer's scale lies within it); 1 ≤ K ≤ N.
   *
   * @throws BadRequestException naming the first option that breaks a rule
   */
  public static void checkBestOfN(
      Integer candidates, Integer keep, Double minScore, List<String> scorers, Integer batch) {
    if (candidates == null) {
      if (keep != null || minScore != null || scorers != null) {
        throw new BadRequestException(
            "--keep/--min-score/--scorer: expected --candidates N with them, found none");
      }
      return;
    }
    if (batch != null) {
      throw new BadRequestException("--batch and --candidates: expected one of them, found both");
    }
    if (minScore != null && !(minScore >= 0 && minScore <= 100)) {
      // NaN and infinities would reject all or none
      throw new BadRequestException(
          "--min-score: expected a number from 0 to 100, found " + minScore);
    }
    int k = keep == null ? 1 : keep;
    if (candidates < 1 || k < 1 || k > candidates) {
      throw new BadRequestException(
          "--candidates/--keep: expected 1 ≤ K ≤ N, found N " + candidates + ", K " + k);
    }
    if (scorers != null && scorers.isEmpty()) {
      throw new BadRequestException("--scorer: expected at least one scorer, found none");
    }
  }

  /**
   * {@code generate}'s upscale rules: the hires options need {@code --upscale}, which is 2, 3, 4 or
   * 8.
   *
   * @return the settings, or null without {@code upscale}
   * @throws BadRequestException naming the option that breaks a rule
   */
  public static HiresFix.Settings hires(
      Integer upscale, String upscaler, Double strength, Integer steps, Integer tile) {
    return hiresSettings(upscale, upscaler, strength, steps, tile);
  }

  private static HiresFix.Settings hiresSettings(
      Integer upscale, String upscaler, Double strength, Integer steps, Integer tile) {
    if (upscale == null) {
      if (strength != null || steps != null || upscaler != null || tile != null) {
        throw new BadRequestException(
            "--hires-strength, --hires-steps, --upscaler and --tile apply to upscaling; expected"
                + " --upscale N too, found none");
      }
      return null;
    }
    if (upscale != 2 && upscale != 3 && upscale != 4 && upscale != 8) {
      throw new BadRequestException("--upscale: expected 2, 3, 4 or 8, found " + upscale);
    }
    return new HiresFix.Settings(
        UpscaleSpec.options(upscale, tile, null, null, null), strength, steps);
  }

  /** A builder with only the prompt set. */
  public static Builder builder(String prompt) {
    return new Builder().prompt(prompt);
  }

  /** This spec as a builder, to change some fields. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.model = model;
    b.prompt = prompt;
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
    b.initSha256 = initSha256;
    b.initData = initData;
    b.strength = strength;
    b.fit = fit;
    b.symmetry = symmetry;
    b.candidates = candidates;
    b.keep = keep;
    b.minScore = minScore;
    b.scorers = scorers;
    b.clip = clip;
    b.aestheticModel = aestheticModel;
    b.upscale = upscale;
    b.upscaler = upscaler;
    b.hiresStrength = hiresStrength;
    b.hiresSteps = hiresSteps;
    b.tile = tile;
    b.clipSkip = clipSkip;
    b.subseed = subseed;
    b.subseedStrength = subseedStrength;
    b.controls = controls;
    b.guessMode = guessMode;
    b.loras = loras;
    b.inpaint = inpaint;
    b.maskData = maskData;
    return b;
  }

  /** Builds a {@link GenerateSpec}; the checks run in {@link #build()}. */
  public static final class Builder {
    private String model;
    private String prompt;
    private String negativePrompt;
    private Integer width;
    private Integer height;
    private Integer steps;
    private Double guidance;
    private String scheduler;
    private Double eta;
    private Long seed;
    private Integer batch;
    private String init;
    private String initSha256;
    private byte[] initData;
    private Double strength;
    private String fit;
    private Symmetry symmetry;
    private Integer candidates;
    private Integer keep;
    private Double minScore;
    private List<String> scorers;
    private String clip;
    private String aestheticModel;
    private Integer upscale;
    private String upscaler;
    private Double hiresStrength;
    private Integer hiresSteps;
    private Integer tile;
    private Integer clipSkip;
    private Long subseed;
    private Double subseedStrength;
    private List<ControlSpec> controls;
    private Boolean guessMode;
    private List<LoraRequest> loras;
    private InpaintSettings inpaint;
    private byte[] maskData;

    private Builder() {}

    /** LoRAs to merge into the model for this job. */
    public Builder loras(List<LoraRequest> v) {
      loras = v;
      return this;
    }

    public Builder model(String v) {
      model = v;
      return this;
    }

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

    public Builder scheduler(String v) {
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

    public Builder batch(Integer v) {
      batch = v;
      return this;
    }

    /** A basemap file, and the SHA-256 it must have (null: any). */
    public Builder init(String file, String sha256) {
      init = file;
      initSha256 = sha256;
      return this;
    }

    /** A basemap given as the bytes of an image file. */
    public Builder initData(byte[] v) {
      initData = v;
      return this;
    }

    public Builder strength(Double v) {
      strength = v;
      return this;
    }

    public Builder fit(String v) {
      fit = v;
      return this;
    }

    public Builder symmetry(Symmetry v) {
      symmetry = v;
      return this;
    }

    /**
     * Best-of-N: candidates, keep (null: 1), minimum score (null: none), scorers (null: default).
     */
    public Builder select(Integer n, Integer k, Double min, List<String> names) {
      candidates = n;
      keep = k;
      minScore = min;
      scorers = names;
      return this;
    }

    /** Model files for the CLIP-based scorers (null: the installed ones). */
    public Builder scorerModels(String clipFolder, String aestheticGraph) {
      clip = clipFolder;
      aestheticModel = aestheticGraph;
      return this;
    }

    /** Upscaling: factor, upscaler (null: installed default), hires strength and steps, tile. */
    public Builder upscale(
        Integer factor, String model, Double strength, Integer steps, Integer t) {
      upscale = factor;
      upscaler = model;
      hiresStrength = strength;
      hiresSteps = steps;
      tile = t;
      return this;
    }

    /** A1111's clip skip (null: 1). */
    public Builder clipSkip(Integer v) {
      clipSkip = v;
      return this;
    }

    /** A1111's variation seed (-1 or null: random) and strength (null: no variation). */
    public Builder variation(Long seed, Double strength) {
      subseed = seed;
      subseedStrength = strength;
      return this;
    }

    /** ControlNets (null or empty: none) and guess mode (null: off). */
    public Builder controls(List<ControlSpec> v, Boolean guess) {
      controls = v;
      guessMode = guess;
      return this;
    }

    /** Inpainting: the settings (naming the mask file, or null there with {@code bytes}). */
    public Builder inpaint(InpaintSettings settings, byte[] bytes) {
      inpaint = settings;
      maskData = bytes;
      return this;
    }

    public GenerateSpec build() {
      return new GenerateSpec(
          model,
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
          initSha256,
          initData,
          strength,
          fit,
          symmetry,
          candidates,
          keep,
          minScore,
          scorers,
          clip,
          aestheticModel,
          upscale,
          upscaler,
          hiresStrength,
          hiresSteps,
          tile,
          clipSkip,
          subseed,
          subseedStrength,
          controls,
          guessMode,
          loras,
          inpaint,
          maskData);
    }
  }
}

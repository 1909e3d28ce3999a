package atelier.pipeline;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.Progress;
import atelier.ProgressListener;
import atelier.Version;
import atelier.diffusion.GuidanceEmbedding;
import atelier.diffusion.SamplingLoop;
import atelier.diffusion.Scheduler;
import atelier.diffusion.SchedulerConfig;
import atelier.diffusion.SchedulerKind;
import atelier.diffusion.SchedulerOptions;
import atelier.diffusion.Schedulers;
import atelier.diffusion.TorchGenerator;
import atelier.image.ImageTensors;
import atelier.image.Resize;
import atelier.model.ModelFamily;
import atelier.model.Tensor;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * One run of a request against a loaded model, in diffusers' order of operations: encode prompts,
 * then per image (its own generator seeded seed+i and its own scheduler) start latents (noise, or
 * the encoded basemap noised to the start step), the sampling loop with guidance, and decoding.
 *
 * <p>Images are made one after another and each UNet call holds only one image's guidance batch, so
 * an image comes out bit-identical whether made alone or in a batch. Single use.
 */
final class Generation {
  private final StableDiffusion model;
  private final GenerationRequest request;
  private final ProgressListener listener;
  private final CancelToken cancel;
  private final Consumer<Artwork> sink;

  Generation(
      StableDiffusion model,
      GenerationRequest request,
      ProgressListener listener,
      CancelToken cancel,
      Consumer<Artwork> sink) {
    this.model = model;
    this.request = request;
    this.listener = listener == null ? ProgressListener.NONE : listener;
    this.cancel = cancel == null ? CancelToken.NONE : cancel;
    this.sink = sink == null ? a -> {} : sink;
  }

  GenerationResult run() {
    long start = System.nanoTime();
    ModelInfo info = model.info();
    GenerationSettings settings = resolve(request, info);
    SchedulerKind kind = SchedulerKind.lookup(settings.scheduler());
    List<String> warnings = new ArrayList<>();
    int latentH = settings.height() / 8;
    int latentW = settings.width() / 8;
    SchedulerConfig schedulerConfig =
        info.family() == ModelFamily.LCM
            ? model.schedulerConfig()
            : Schedulers.withPipelineFixes(model.schedulerConfig(), kind);
    SchedulerOptions options =
        new SchedulerOptions(
            settings.eta(), settings.strength() == null ? 1.0 : settings.strength());
    // Made once up front so a bad combination (eta on a non-DDIM sampler, a strength that leaves
    // no step) fails before any model work.
    int startIndex =
        Schedulers.create(kind, schedulerConfig, settings.steps(), options).beginIndex();

    // ControlNets: checked and loaded before any model work.
    ControlRun control =
        request.controls() == null
            ? null
            : ControlRun.prepare(model, request.controls(), settings, warnings);

    // Prompts.
    cancel.check();
    long t = System.nanoTime();
    boolean lcmEmbedding = model.unet().takesTimestepCond();
    boolean guided = settings.guidance() > 1 && !lcmEmbedding;
    if (!guided && !settings.negativePrompt().isEmpty()) {
      warnings.add(
          "negative prompt ignored: guidance is off ("
              + (lcmEmbedding
                  ? "LCM guidance embedding"
                  : "guidance " + settings.guidance() + " ≤ 1")
              + ")");
    }
    Conditioning cond =
        Conditioning.encode(
            model, settings.prompt(), settings.negativePrompt(), guided, settings.clipSkip());
    listener.onProgress(progress(Progress.Stage.ENCODE_TEXT, 1, 1, 0, settings.batch(), t));
    double textMs = ms(t);
    float[] guidanceEmbedding =
        lcmEmbedding
            ? GuidanceEmbedding.of(settings.guidance() - 1, model.unet().timestepCondSize())
            : null;

    // The basemap, once for all images (inpainting prepares its own, with the mask).
    Inpainting inpainting =
        request.inpaint() != null
            ? Inpainting.prepare(info.unetInChannels(), request, settings, warnings)
            : info.inpainting() ? Inpainting.wholeImage(request, settings, warnings) : null;
    Tensor initTensor = null;
    if (settings.strength() != null && inpainting == null) {
      BufferedImage fitted =
          Resize.fit(
              request.init().image(),
              settings.width(),
              settings.height(),
              Resize.Fit.lookup(settings.fit()));
      initTensor = ImageTensors.toTensor(fitted);
    }

    List<Artwork> artworks = new ArrayList<>();
    double encodeMs = 0;
    double denoiseMs = 0;
    double decodeMs = 0;
    int stepsRun = 0;
    double[] timesteps = null;
    for (int image = 0; image < settings.batch(); image++) {
      cancel.check();
      GenerationSettings one = settings.forImage(image);
      TorchGenerator generator = TorchGenerator.cpu(one.seed());
      Scheduler scheduler = Schedulers.create(kind, schedulerConfig, settings.steps(), options);
      timesteps = scheduler.timesteps();
      float[] latents;
      if (inpainting != null) {
        t = System.nanoTime();
        latents =
            inpainting.start(
                model,
                generator,
                one,
                scheduler,
                startIndex,
                settings.strength() == null || settings.strength() == 1.0);
        encodeMs += ms(t);
        listener.onProgress(
            progress(Progress.Stage.ENCODE_IMAGE, 1, 1, image, settings.batch(), t));
      } else if (initTensor == null) {
        latents = VariationNoise.start(generator, one, 4, latentH, latentW);
        float sigma = (float) scheduler.initNoiseSigma();
        for (int i = 0; i < latents.length; i++) {
          latents[i] *= sigma;
        }
      } else {
        t = System.nanoTime();
        Tensor z = model.vaeEncoder().encode(initTensor, generator);
        float[] init = z.floatData().clone();
        float scale = (float) model.info().vaeScalingFactor();
        for (int i = 0; i < init.length; i++) {
          init[i] *= scale;
        }
        float[] noise = VariationNoise.start(generator, one, 4, latentH, latentW);
        latents = scheduler.addNoise(init, noise, startIndex);
        encodeMs += ms(t);
        listener.onProgress(
            progress(Progress.Stage.ENCODE_IMAGE, 1, 1, image, settings.batch(), t));
      }
      Symmetry symmetry = settings.symmetry();
      if (symmetry != null && symmetry.activeAfter(0, settings.steps())) {
        symmetry.apply(latents, 4, latentH, latentW);
      }

      t = System.nanoTime();
      long loopStart = t;
      int total = timesteps.length - startIndex;
      final int imageIndex = image;
      ProgressListener steps = LatentsListener.bind(listener, latents, 4, latentH, latentW);
      ControlRun.ForImage controlled = control == null ? null : control.forImage(total);
      SamplingLoop.run(
          List.of(scheduler),
          List.of(generator),
          new float[][] {latents},
          (inputs, timestep) ->
              new float[][] {
                cond.predict(
                    model.unet(),
                    controlled == null ? UnetCall.of(model.unet()) : controlled.step(),
                    inpainting == null ? inputs[0] : inpainting.unetInput(inputs[0]),
                    latentH,
                    latentW,
                    timestep,
                    settings.guidance(),
                    guidanceEmbedding)
              },
          symmetry == null && inpainting == null
              ? null
              : (lat, done, all) -> {
                if (inpainting != null) {
                  inpainting.afterStep(lat, scheduler, startIndex + done - 1, done == all);
                }
                if (symmetry != null && symmetry.activeAfter(done, all)) {
                  symmetry.apply(lat, 4, latentH, latentW);
                }
              },
          done ->
              steps.onProgress(
                  progress(
                      Progress.Stage.DENOISE,
                      done,
                      total,
                      imageIndex,
                      settings.batch(),
                      loopStart)),
          cancel);
      denoiseMs += ms(t);
      stepsRun += total;

      cancel.check();
      t = System.nanoTime();
      float[] scaled = latents.clone();
      float inv = (float) (1.0 / model.info().vaeScalingFactor());
      for (int i = 0; i < scaled.length; i++) {
        scaled[i] *= inv;
      }
      Tensor latentTensor = Tensor.floats(scaled, 1, 4, latentH, latentW);
      TaesdDecoder taesd = model.taesd();
      boolean tiled = taesd == null && VaeDecoder.needsTiles(latentH, latentW);
      Tensor decoded =
          taesd != null
              ? taesd.decodeLikeVae(latentTensor, (float) model.info().vaeScalingFactor())
              : tiled
                  ? model.vaeDecoder().decodeTiled(latentTensor)
                  : model.vaeDecoder().decode(latentTensor);
      BufferedImage picture = ImageTensors.toImage(decoded, 0);
      if (inpainting != null) {
        picture = inpainting.finish(picture);
      }
      decodeMs += ms(t);
      listener.onProgress(progress(Progress.Stage.DECODE, 1, 1, image, settings.batch(), t));

      List<String> notes = new ArrayList<>(warnings);
      if (taesd != null) {
        notes.add("decoded with TAESD " + taesd.model().path() + " instead of the model's VAE");
      }
      if (tiled) {
        notes.add(
            "VAE decoded in tiles of "
                + VaeDecoder.TILE * 8
                + " px with "
                + VaeDecoder.OVERLAP * 8
                + " px overlap (image larger than 1024×1024)");
      }
      Timings soFar =
          new Timings(
              textMs, encodeMs, denoiseMs, denoiseMs / Math.max(1, stepsRun), decodeMs, ms(start));
      ImageRecord record =
          new ImageRecord(
              Version.SOFTWARE,
              Instant.now().toString(),
              modelRef(),
              one,
              image,
              settings.seed(),
              java.util.Arrays.copyOfRange(timesteps, startIndex, timesteps.length),
              cond.truncated(),
              List.copyOf(notes),
              soFar);
      Artwork artwork = new Artwork(picture, record, latents);
      artworks.add(artwork);
      sink.accept(artwork);
    }
    Timings timings =
        new Timings(
            textMs, encodeMs, denoiseMs, denoiseMs / Math.max(1, stepsRun), decodeMs, ms(start));
    return new GenerationResult(artworks, timings);
  }

  private ModelRef modelRef() {
    ModelInfo info = model.info();
    return new ModelRef(
        info.id(),
        info.path().toAbsolutePath().normalize().toString(),
        model.hash(),
        info.family().id(),
        info.variant().id(),
        model.loras().stream()
            .map(
                l ->
                    new ModelRef.Lora(
                        l.use().name(), l.use().weight(), l.hash(), l.matched(), l.modules()))
            .toList());
  }

  /** Fills the request's unset fields from the model's defaults. */
  static GenerationSettings resolve(GenerationRequest r, ModelInfo info) {
    if (r.init() != null && !info.imageToImage()) {
      throw StableDiffusion.noImageToImage(info.path());
    }
    String scheduler =
        (r.scheduler() != null ? r.scheduler() : SchedulerKind.lookup(info.defaultScheduler()))
            .cliName();
    long seed = r.seed() != null ? r.seed() : ThreadLocalRandom.current().nextLong(1L << 32);
    Double strength = r.init() == null ? null : (r.strength() != null ? r.strength() : 0.75);
    // outpainting generates the extended canvas at its own size unless a size is given
    boolean outpaint = r.inpaint() != null && r.inpaint().settings().outpaint() != null;
    int width =
        r.width() != null
            ? r.width()
            : outpaint ? r.init().image().getWidth() : info.defaultWidth();
    int height =
        r.height() != null
            ? r.height()
            : outpaint ? r.init().image().getHeight() : info.defaultHeight();
    try {
      checkSide("width", width, info.sizeMultiple(), info.fixedWidth());
      checkSide("height", height, info.sizeMultiple(), info.fixedHeight());
    } catch (BadRequestException e) {
      if (!outpaint || r.width() != null || r.height() != null) {
        throw e;
      }
      throw new BadRequestException(
          "outpaint: the extended canvas is "
              + width
              + "×"
              + height
              + "; "
              + e.getMessage()
              + " (extend by other amounts, or give -W/-H to fit it)",
          e);
    }
    return new GenerationSettings(
        r.prompt(),
        r.negativePrompt(),
        width,
        height,
        r.steps() != null ? r.steps() : info.defaultSteps(),
        r.guidance() != null ? r.guidance() : info.defaultGuidance(),
        scheduler,
        r.eta() != null ? r.eta() : 0.0,
        seed,
        r.batch(),
        strength,
        r.init() == null ? null : r.init().source(),
        r.init() == null ? null : r.init().sha256(),
        r.fit().cliName(),
        r.symmetry(),
        r.clipSkip() == null ? 1 : r.clipSkip(),
        r.varies()
            ? (r.subseed() != null ? r.subseed() : ThreadLocalRandom.current().nextLong(1L << 32))
            : null,
        r.varies() ? r.subseedStrength() : null,
        r.inpaint() == null ? null : r.inpaint().settings(),
        r.controls() == null
            ? null
            : r.controls().inputs().stream().map(ControlSettings::of).toList(),
        r.controls() == null ? null : r.controls().guessMode());
  }

  /**
   * A side the loaded UNet can run: its fixed size if the graph declares one, else a multiple of
   * its size multiple (other sizes fail inside ONNX Runtime, where skip connections meet).
   */
  static void checkSide(String name, int v, int multiple, int fixed) {
    if (fixed > 0 && v != fixed) {
      throw new BadRequestException(
          name
              + ": the model's UNet takes only "
              + fixed
              + " pixels (a fixed-size export), found "
              + v);
    }
    if (v % multiple != 0) {
      int lower = v / multiple * multiple;
      int upper = lower + multiple;
      String nearest =
          lower == 0
              ? String.valueOf(upper)
              : upper > GenerationRequest.MAX_SIDE ? String.valueOf(lower) : lower + " or " + upper;
      throw new BadRequestException(
          name
              + ": the model needs a multiple of "
              + multiple
              + " pixels, found "
              + v
              + "; nearest: "
              + nearest);
    }
  }

  private static Progress progress(
      Progress.Stage stage, int step, int total, int image, int images, long startNanos) {
    return new Progress(
        stage, step, total, image, images, Duration.ofNanos(System.nanoTime() - startNanos));
  }

  private static double ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }
}

package atelier.cli;

import atelier.BadRequestException;
import atelier.CancelledException;
import atelier.diffusion.SchedulerKind;
import atelier.image.Resize;
import atelier.jobs.GenerateSpec;
import atelier.jobs.Inputs;
import atelier.jobs.JobEvents;
import atelier.jobs.JobResult;
import atelier.jobs.OutputSink;
import atelier.model.SessionSettings;
import atelier.model.lora.LoraRequest;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.GenerationSettings;
import atelier.pipeline.InitImage;
import atelier.pipeline.Outpaint;
import atelier.pipeline.StableDiffusion;
import atelier.pipeline.Symmetry;
import atelier.pipeline.TaesdDecoder;
import atelier.quality.Selection;
import atelier.quality.SelectionReport;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier generate}: text-to-image and image-to-image. */
@Command(
    name = "generate",
    aliases = {"gen"},
    mixinStandardHelpOptions = true,
    description = {
      "Generate images from a prompt (text-to-image) or from a basemap (image-to-image).",
      "Unset options take the model's defaults; every setting is stored in each PNG."
    })
final class GenerateCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Mixin ModelOptions models;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT", description = "The prompt.")
  String prompt;

  @Option(
      names = {"-n", "--negative"},
      paramLabel = "TEXT",
      description = "Negative prompt.")
  String negative;

  @Option(
      names = {"-s", "--scheduler", "--sampler"},
      paramLabel = "NAME",
      description =
          "A sampler by its name or A1111's (atelier schedulers lists them), e.g. euler-a or"
              + " \"DPM++ 2M Karras\" (default: the model's).")
  String scheduler;

  @Option(names = "--steps", paramLabel = "N", description = "Sampler steps.")
  Integer steps;

  @Option(
      names = {"-g", "--guidance", "--cfg"},
      paramLabel = "G",
      description = "Guidance scale; ≤ 1 turns guidance off.")
  Double guidance;

  @Option(
      names = {"-W", "--width"},
      paramLabel = "W",
      description = "Width, a multiple of 8.")
  Integer width;

  @Option(
      names = {"-H", "--height"},
      paramLabel = "H",
      description = "Height, a multiple of 8.")
  Integer height;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "Seed of the first image (-1 or unset: random; printed and stored).")
  Long seed;

  @Option(
      names = "--subseed",
      paramLabel = "S",
      description = "A1111's variation seed (-1 or unset: random); needs --subseed-strength.")
  Long subseed;

  @Option(
      names = "--subseed-strength",
      paramLabel = "X",
      description =
          "How far the start noise moves towards the variation seed's, 0..1 (A1111's variation"
              + " strength); a batch keeps the seed and steps the variation seed.")
  Double subseedStrength;

  @Option(
      names = "--clip-skip",
      paramLabel = "N",
      description =
          "A1111's clip skip: 1 = the text encoder's last layer (default), 2 = the one before, …")
  Integer clipSkip;

  @Option(
      names = {"-b", "--batch"},
      paramLabel = "N",
      description = "Number of images (seeds S, S+1, …).")
  Integer batch;

  @Option(names = "--eta", paramLabel = "E", description = "DDIM eta (0 = deterministic).")
  Double eta;

  @Option(
      names = {"-i", "--init"},
      paramLabel = "IMAGE",
      description = "Basemap for image-to-image.")
  Path init;

  @Option(
      names = "--strength",
      paramLabel = "S",
      description = "How much of the basemap to repaint, 0..1 (default 0.75).")
  Double strength;

  @Option(
      names = "--fit",
      paramLabel = "MODE",
      description = "How the basemap meets the size: cover (crop), stretch, contain (pad).")
  String fit;

  @Option(
      names = "--symmetry",
      paramLabel = "AXES",
      description = "Mirror the latents: h (left-right), v (top-bottom) or hv.")
  String symmetry;

  @Option(
      names = "--symmetry-steps",
      paramLabel = "F",
      description = "Share of the steps with mirroring (default 0.5).")
  Double symmetrySteps;

  @Option(
      names = {"-o", "--out"},
      paramLabel = "FILE|DIR",
      description =
          "A .png file (one image) or a folder of numbered images (default: the configured"
              + " output folder, else ./outputs).")
  Path out;

  @Option(
      names = "--overwrite",
      description =
          "Replace an existing --out FILE.png (without it, an existing file is an error).")
  boolean overwrite;

  @Option(
      names = "--from",
      paramLabel = "IMAGE.png",
      description =
          "Re-run the settings stored in an Atelier or A1111 PNG; other options override them.")
  Path from;

  @Option(names = "--json", description = "Print one JSON document; no progress bar.")
  boolean json;

  @Option(
      names = "--candidates",
      paramLabel = "N",
      description = "Best-of-N: generate N candidates (seeds S…S+N−1), score them, keep the best.")
  Integer candidates;

  @Option(names = "--keep", paramLabel = "K", description = "Candidates to keep (default 1).")
  Integer keep;

  @Option(
      names = "--min-score",
      paramLabel = "X",
      description = "Reject candidates whose ranking score is below X (the yield counts the rest).")
  Double minScore;

  @Option(
      names = "--scorer",
      split = ",",
      paramLabel = "NAMES",
      description = "Scorers for --candidates; the first ranks (default quality:default).")
  List<String> scorers;

  @Option(
      names = "--clip",
      paramLabel = "DIR",
      description = "CLIP export for the clip, aesthetic and CLIP-trained quality scorers.")
  Path clip;

  @Option(
      names = "--aesthetic-model",
      paramLabel = "FILE",
      description = "LAION aesthetic MLP graph.")
  Path aestheticModel;

  @Mixin HiresOptions hires;

  @Mixin ControlOptions control;

  @Option(
      names = "--lora",
      paramLabel = "FILE_OR_NAME[:W]",
      description =
          "Merge a LoRA (kohya/A1111 .safetensors, or an installed name) at weight W (1);"
              + " repeatable; also <lora:NAME:W> in the prompt.")
  List<String> loras;

  @Mixin InpaintOptions inpaint;

  @Option(
      names = "--vae",
      paramLabel = "taesd[:DIR]",
      description =
          "Decode with TAESD (fast, lower detail) from DIR (vae_decoder/model.onnx inside),"
              + " by default the data folder's models/taesd.")
  String vae;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    FromImage base =
        from == null ? null : FromImage.read(from, Home.of(spec), models.model != null);
    GenerateSpec.checkBestOfN(candidates, keep, minScore, scorers, batch);
    GenerationRequest request = request(base);
    upscaleSettings(base); // checks the upscale options before any model loads
    control.specs(); // and the ControlNet options
    if (!json) {
      if (base != null) {
        base.notes().forEach(n -> err.println("atelier: note: --from " + from + ": " + n));
      }
      noEffect(request).forEach(n -> err.println("atelier: note: " + n));
    }
    SessionSettings settings = ModelRun.settings(spec, models.device, models.threads);
    TaesdDecoder taesd = vae == null ? null : TaesdOption.open(vae, Home.of(spec), settings);
    try {
      return run(request, base, settings, taesd);
    } finally {
      if (taesd != null) {
        taesd.close(); // idempotent; the model closed it already when it took it
      }
    }
  }

  private Integer run(
      GenerationRequest request, FromImage base, SessionSettings settings, TaesdDecoder taesd) {
    PrintWriter err = spec.commandLine().getErr();
    Path outPath = out != null ? out : Output.defaultFolder(spec);
    int kept = candidates != null ? (keep == null ? 1 : keep) : request.batch();
    Output output = Output.of(outPath, kept, overwrite);
    Path model =
        Models.resolve(spec, models.model, base == null ? null : base.model(), models.yes, json);
    GenerateSpec job = spec(base, model.toString(), request);
    PrintWriter o = spec.commandLine().getOut();
    List<Path> written = new ArrayList<>();
    JobEvents events =
        new JobEvents() {
          @Override
          public void loaded(StableDiffusion sd) {
            if (taesd != null) {
              sd.decodeWith(taesd);
            }
            if (!json) {
              sd.loras().forEach(l -> o.println(l.summary()));
            }
            if (base != null
                && base.model() != null
                && base.model().sha256() != null
                && base.model().sha256().length() == 64
                && !sd.hash().equals(base.model().sha256())
                && !json) {
              err.println(
                  "atelier: note: model "
                      + sd.info().path()
                      + " differs from the one that made "
                      + from
                      + " (hash "
                      + sd.hash().substring(0, 10)
                      + " vs "
                      + base.model().shortHash()
                      + ")");
            }
          }

          @Override
          public void scorerNote(String note) {
            if (!json) {
              o.println("  note: " + note);
            }
          }

          @Override
          public void candidatesRanked(Selection.Report report) {
            if (!json) {
              SelectionReport.lines(report).forEach(o::println);
              o.flush();
            }
          }

          @Override
          public void image(JobResult.Image image) {
            written.add(image.file());
            if (json) {
              return;
            }
            if (candidates != null) {
              o.println("wrote " + image.file());
              o.flush();
            } else { // said as each file is written, not after the batch
              wroteLine(image);
            }
          }
        };
    JobResult result;
    try {
      result = ModelRun.job(spec, json, settings, job, OutputSink.of(output.target()), events);
    } catch (CancelledException e) {
      throw candidates != null ? e : kept(e, written, request.batch());
    }
    if (result.selection() != null) {
      reportSelection(result);
    } else {
      report(result);
    }
    return 0;
  }

  /**
   * The job: the options on top of a stored image's settings for {@code --from}, as {@link
   * #request} merges them, with the model already resolved.
   */
  private GenerateSpec spec(FromImage s, String model, GenerationRequest request) {
    boolean ownInit = init != null;
    String initFile = ownInit ? init.toString() : s != null ? s.init() : null;
    return GenerateSpec.builder(request.prompt())
        .model(model)
        .negativePrompt(request.negativePrompt())
        .size(request.width(), request.height())
        .steps(request.steps())
        .guidance(request.guidance())
        .scheduler(request.scheduler() == null ? null : request.scheduler().cliName())
        .eta(request.eta())
        .seed(request.seed())
        .batch(candidates != null ? null : batch != null ? batch : 1)
        .init(initFile, ownInit || s == null ? null : s.initSha256())
        .strength(request.strength())
        .fit(fit != null ? fit : s != null ? s.fit() : null)
        .symmetry(request.symmetry())
        .clipSkip(request.clipSkip())
        .variation(request.subseed(), request.subseedStrength())
        .select(candidates, keep, minScore, scorers)
        .scorerModels(
            clip == null ? null : clip.toString(),
            aestheticModel == null ? null : aestheticModel.toString())
        .upscale(
            pick(hires.upscale, s == null ? null : s.upscale()),
            pick(hires.upscaler, s == null ? null : s.upscaler()),
            pick(hires.strength, s == null ? null : s.hiresStrength()),
            pick(hires.steps, s == null ? null : s.hiresSteps()),
            hires.tile)
        .controls(
            control.given() || s == null ? control.specs() : s.controls(),
            control.given() || s == null ? control.guessMode() : s.guessMode())
        .loras(loras == null ? null : loras.stream().map(LoraRequest::parse).toList())
        .inpaint(request.inpaint() == null ? null : request.inpaint().settings(), null)
        .build();
  }

  /** The upscale options on top of a stored image's upscale and hires pass, checked. */
  private void upscaleSettings(FromImage s) {
    GenerateSpec.hires(
        pick(hires.upscale, s == null ? null : s.upscale()),
        pick(hires.upscaler, s == null ? null : s.upscaler()),
        pick(hires.strength, s == null ? null : s.hiresStrength()),
        pick(hires.steps, s == null ? null : s.hiresSteps()),
        hires.tile);
  }

  private void reportSelection(JobResult result) {
    PrintWriter o = spec.commandLine().getOut();
    JobResult.SelectionOutcome sel = result.selection();
    Selection.Report report = sel.report();
    Map<Integer, Path> files = new LinkedHashMap<>();
    List<Selection.Ranked> keptRanked = report.kept();
    for (int i = 0; i < keptRanked.size() && i < result.images().size(); i++) {
      files.put(keptRanked.get(i).index(), result.images().get(i).file());
    }
    if (json) {
      ObjectNode root = SelectionReport.json(report, report.candidates().size(), files);
      root.put("report", sel.reportFile().toString());
      root.put("sheet", sel.sheetFile().toString());
      o.println(root.toString());
    } else {
      o.println(SelectionReport.summary(report, files.size(), sel.reportFile(), sel.sheetFile()));
    }
    o.flush();
  }

  /** The cancellation, saying which finished images were kept (they are complete files). */
  static CancelledException kept(CancelledException e, List<Path> written, int batch) {
    String kept =
        written.isEmpty()
            ? "no image was finished"
            : "kept "
                + written.size()
                + " of "
                + batch
                + " image"
                + (batch == 1 ? "" : "s")
                + ": "
                + written.stream().map(Path::toString).collect(Collectors.joining(", "));
    return new CancelledException("cancelled; " + kept, e);
  }

  private void report(JobResult result) {
    PrintWriter o = spec.commandLine().getOut();
    List<JobResult.Image> images = result.images();
    if (json) {
      ObjectNode root = ArtworkPng.json().createObjectNode();
      ArrayNode arr = root.putArray("images");
      for (JobResult.Image img : images) {
        ObjectNode n = arr.addObject();
        n.put("file", img.file().toString());
        n.put("seed", img.seed());
        n.set("record", ArtworkPng.json().valueToTree(img.record()));
      }
      root.set("timings", ArtworkPng.json().valueToTree(result.timings()));
      o.println(root.toString());
    } else {
      var t = result.timings();
      o.println(
          String.format(
              Locale.ROOT,
              "%d image%s in %.1f s (%.0f ms per step)",
              images.size(),
              images.size() == 1 ? "" : "s",
              t.totalMs() / 1000,
              t.stepMs()));
    }
    o.flush();
  }

  private void wroteLine(JobResult.Image image) {
    PrintWriter o = spec.commandLine().getOut();
    GenerationSettings s = image.record().settings();
    o.println(
        "wrote "
            + image.file()
            + "  (seed "
            + image.seed()
            + (s.varies() ? ", variation seed " + s.subseed() + " at " + s.subseedStrength() : "")
            + ")");
    for (String w : image.record().warnings()) {
      o.println("  note: " + w);
    }
    for (String t : image.record().truncated()) {
      o.println("  truncated: " + t);
    }
    o.flush();
  }

  /** The request from the options, on top of a stored image's settings for {@code --from}. */
  GenerationRequest request(FromImage s) {
    String p = prompt != null ? prompt : s != null ? s.prompt() : null;
    if (p == null) {
      throw new BadRequestException("prompt: expected a prompt (or --from IMAGE.png), found none");
    }
    InitImage initImage = null;
    if (init != null) {
      initImage = Inputs.readInit(init, null);
    } else if (s != null && s.init() != null) {
      initImage = Inputs.readInit(Path.of(s.init()), s.initSha256());
    }
    Outpaint.Prepared painted = inpaint.prepare(initImage, s == null ? null : s.inpaint());
    initImage = painted.init();
    Symmetry sym =
        symmetry != null
            ? Inputs.symmetry(symmetry, symmetrySteps == null ? 0.5 : symmetrySteps)
            : s != null ? s.symmetry() : null;
    String storedScheduler = s == null ? null : s.scheduler();
    String sched = scheduler != null ? scheduler : storedScheduler;
    String storedFit = s == null ? null : s.fit();
    return GenerationRequest.builder(p)
        .negativePrompt(negative != null ? negative : s != null ? s.negativePrompt() : "")
        .size(
            pick(width, s == null ? null : s.width()), pick(height, s == null ? null : s.height()))
        .steps(pick(steps, s == null ? null : s.steps()))
        .guidance(pick(guidance, s == null ? null : s.guidance()))
        .scheduler(sched == null ? null : SchedulerKind.lookup(sched))
        .eta(pick(eta, s == null ? null : s.eta()))
        .seed(pick(seed, s == null ? null : s.seed()))
        .batch(GenerateSpec.imageCount(candidates, batch))
        .init(initImage)
        .strength(initImage == null ? strength : pick(strength, s == null ? null : s.strength()))
        .fit(
            fit != null
                ? Resize.Fit.lookup(fit)
                : storedFit != null ? Resize.Fit.lookup(storedFit) : null)
        .symmetry(sym)
        .clipSkip(pick(clipSkip, s == null ? null : s.clipSkip()))
        .variation(
            pick(subseed, s == null ? null : s.subseed()),
            pick(subseedStrength, s == null ? null : s.subseedStrength()))
        .inpaint(painted.inpaint())
        .build();
  }

  /** Options given that change nothing for this request: said, not silently dropped. */
  List<String> noEffect(GenerationRequest request) {
    List<String> notes = new ArrayList<>();
    if (symmetrySteps != null && request.symmetry() == null) {
      notes.add("--symmetry-steps ignored: it applies with --symmetry h|v|hv, found none");
    }
    if (fit != null && request.init() == null) {
      notes.add("--fit ignored: it applies to image-to-image (--init IMAGE), found no init image");
    }
    return notes;
  }

  private static <T> T pick(T option, T stored) {
    return option != null ? option : stored;
  }
}

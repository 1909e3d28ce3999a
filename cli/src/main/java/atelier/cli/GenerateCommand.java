package atelier.cli;

import atelier.BadRequestException;
import atelier.CancelledException;
import atelier.diffusion.SchedulerKind;
import atelier.image.Resize;
import atelier.jobs.Inputs;
import atelier.model.SessionSettings;
import atelier.pipeline.Artwork;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.GenerationResult;
import atelier.pipeline.GenerationSettings;
import atelier.pipeline.ImageRecord;
import atelier.pipeline.InitImage;
import atelier.pipeline.Symmetry;
import atelier.upscale.Upscaler;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
          "euler, euler-a, ddim, dpm++2m, dpm++2m-karras, lcm, pndm (default: the model's).")
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
      description = "Seed of the first image (random if unset).")
  Long seed;

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
      description = "Re-run the settings stored in an Atelier PNG; other options override them.")
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
      description = "Scorers for --candidates; the first ranks (default technical).")
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

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    ImageRecord base = from == null ? null : ArtworkPng.read(from);
    BestOfN bestOfN = BestOfN.of(this);
    GenerationRequest request = request(base);
    hires.active(); // checks the upscale options before any model loads
    if (!json) {
      noEffect(request).forEach(n -> err.println("atelier: note: " + n));
    }
    SessionSettings settings = ModelRun.settings(spec, models.device, models.threads);
    Path outPath = out != null ? out : Output.defaultFolder(spec);
    Output output =
        Output.of(outPath, bestOfN != null ? bestOfN.keep() : request.batch(), overwrite);
    return ModelRun.with(
        spec,
        models.model,
        base == null ? null : base.model(),
        models.yes,
        json,
        settings,
        (sd, progress, cancel) -> {
          try (Upscaler upscaler = hires.open(settings)) {
            if (base != null && !sd.hash().equals(base.model().sha256()) && !json) {
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
            java.util.function.Function<Artwork, Path> write =
                artwork -> hires.write(output, sd, upscaler, artwork, progress, cancel);
            if (bestOfN != null) {
              GenerationResult result = sd.generate(request, progress, cancel, artwork -> {});
              bestOfN.run(result, output, write, spec.commandLine().getOut(), settings);
              return 0;
            }
            List<Path> written = new ArrayList<>();
            GenerationResult result;
            try {
              result =
                  sd.generate(
                      request,
                      progress,
                      cancel,
                      artwork -> {
                        written.add(write.apply(artwork));
                        if (!json) { // said as each file is written, not after the batch
                          wrote(written.get(written.size() - 1), artwork);
                        }
                      });
            } catch (CancelledException e) {
              throw kept(e, written, request.batch());
            }
            report(result, written);
            return 0;
          }
        });
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

  private void report(GenerationResult result, List<Path> written) {
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      ObjectNode root = ArtworkPng.json().createObjectNode();
      ArrayNode images = root.putArray("images");
      for (int i = 0; i < written.size(); i++) {
        Artwork a = result.images().get(i);
        ObjectNode n = images.addObject();
        n.put("file", written.get(i).toString());
        n.put("seed", a.record().settings().seed());
        n.set("record", ArtworkPng.json().valueToTree(a.record()));
      }
      root.set("timings", ArtworkPng.json().valueToTree(result.timings()));
      o.println(root.toString());
    } else {
      var t = result.timings();
      o.println(
          String.format(
              Locale.ROOT,
              "%d image%s in %.1f s (%.0f ms per step)",
              written.size(),
              written.size() == 1 ? "" : "s",
              t.totalMs() / 1000,
              t.stepMs()));
    }
    o.flush();
  }

  private void wrote(Path file, Artwork a) {
    PrintWriter o = spec.commandLine().getOut();
    o.println("wrote " + file + "  (seed " + a.record().settings().seed() + ")");
    for (String w : a.record().warnings()) {
      o.println("  note: " + w);
    }
    for (String t : a.record().truncated()) {
      o.println("  truncated: " + t);
    }
    o.flush();
  }

  /** The request from the options, on top of a stored record's settings for {@code --from}. */
  GenerationRequest request(ImageRecord base) {
    GenerationSettings s = base == null ? null : base.settings();
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
    Symmetry sym =
        symmetry != null
            ? Inputs.symmetry(symmetry, symmetrySteps == null ? 0.5 : symmetrySteps)
            : s != null ? s.symmetry() : null;
    return GenerationRequest.builder(p)
        .negativePrompt(negative != null ? negative : s != null ? s.negativePrompt() : "")
        .size(
            pick(width, s == null ? null : s.width()), pick(height, s == null ? null : s.height()))
        .steps(pick(steps, s == null ? null : s.steps()))
        .guidance(pick(guidance, s == null ? null : s.guidance()))
        .scheduler(
            scheduler != null
                ? SchedulerKind.lookup(scheduler)
                : s != null ? SchedulerKind.lookup(s.scheduler()) : null)
        .eta(pick(eta, s == null ? null : s.eta()))
        .seed(pick(seed, s == null ? null : s.seed()))
        .batch(candidates != null ? candidates : batch != null ? batch : 1)
        .init(initImage)
        .strength(initImage == null ? strength : pick(strength, s == null ? null : s.strength()))
        .fit(fit != null ? Resize.Fit.lookup(fit) : s != null ? Resize.Fit.lookup(s.fit()) : null)
        .symmetry(sym)
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

package atelier.jobs;

import atelier.AtelierHome;
import atelier.image.PngText;
import atelier.model.SessionSettings;
import atelier.model.lora.LoraRequest;
import atelier.model.lora.LoraStore;
import atelier.model.lora.LoraUse;
import atelier.pipeline.Artwork;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.GenerationResult;
import atelier.pipeline.StableDiffusion;
import atelier.quality.Scorers;
import atelier.quality.ScoringInput;
import atelier.quality.Selection;
import atelier.quality.SelectionReport;
import atelier.text.LoraTags;
import atelier.upscale.HiresFix;
import atelier.upscale.Upscaler;
import atelier.upscale.UpscalerStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a {@link GenerateSpec}: generates, writes each image through the sink as soon as it is made
 * (upscaled and repainted first when asked), or with best-of-N scores every candidate and writes
 * the kept ones, the selection report and the contact sheet.
 */
final class GenerateJob {
  private final AtelierHome home;
  private final SessionSettings session;
  private final ModelCache cache;
  private final ModelResolver models;

  GenerateJob(AtelierHome home, SessionSettings session, ModelCache cache, ModelResolver models) {
    this.home = home;
    this.session = session;
    this.cache = cache;
    this.models = models;
  }

  JobResult run(GenerateSpec asked, JobContext ctx) {
    GenerateSpec spec = withLoraTags(asked);
    LoraStore store = LoraStore.of(home);
    List<LoraUse> loras =
        LoraTags.find(spec.prompt()).stream()
            .map(t -> store.resolve(new LoraRequest(t.name(), t.weight())))
            .toList();
    GenerationRequest request = spec.request();
    if (spec.controls() != null) {
      request = request.toBuilder().controls(JobControls.resolve(spec, models)).build();
    }
    HiresFix.Settings hires = spec.hires();
    Path dir = models.resolve(spec.model(), null);
    try (ModelCache.Lease<StableDiffusion> sdLease = cache.pipeline(dir, session, loras);
        ModelCache.Lease<Upscaler> upLease =
            hires == null
                ? null
                : cache.upscaler(
                    UpscalerStore.of(home).resolve(spec.upscaler(), spec.upscale()), session)) {
      StableDiffusion sd = sdLease.get();
      ctx.events().loaded(sd);
      Upscaler up = upLease == null ? null : upLease.get();
      List<JobResult.Image> written = new ArrayList<>();
      if (!spec.selects()) {
        GenerationResult result =
            sd.generate(
                request,
                ctx.progress(),
                ctx.cancel(),
                artwork -> written.add(write(sd, up, hires, artwork, ctx)));
        return new JobResult(
            spec.kind(), written, null, List.of(), notes(sd, result), result.timings());
      }
      GenerationResult result = sd.generate(request, ctx.progress(), ctx.cancel(), a -> {});
      JobResult.SelectionOutcome selection = select(spec, result, sd, up, hires, ctx, written);
      return new JobResult(
          spec.kind(), written, selection, List.of(), notes(sd, result), result.timings());
    }
  }

  private JobResult.SelectionOutcome select(
      GenerateSpec spec,
      GenerationResult result,
      StableDiffusion sd,
      Upscaler up,
      HiresFix.Settings hires,
      JobContext ctx,
      List<JobResult.Image> written) {
    List<Selection.Candidate> candidates = new ArrayList<>();
    for (Artwork a : result.images()) {
      long seed = a.record().settings().seed();
      candidates.add(
          new Selection.Candidate(
              "seed " + seed,
              seed,
              new ScoringInput(a.image(), a.record().settings().prompt(), a.latents())));
    }
    Scorers.Sources sources =
        new Scorers.Sources(
            home,
            spec.clip() == null ? null : Path.of(spec.clip()),
            spec.aestheticModel() == null ? null : Path.of(spec.aestheticModel()),
            SessionSettings.of(session.device()));
    Selection.Report report;
    try (Scorers s = Scorers.open(scorerNames(spec.scorers()), sources)) {
      s.notes().forEach(ctx.events()::scorerNote);
      report = Selection.select(candidates, s.list(), spec.kept(), spec.minScore());
    }
    ctx.events().candidatesRanked(report);
    Map<Integer, Path> files = new LinkedHashMap<>();
    for (Selection.Ranked r : report.kept()) {
      JobResult.Image img = write(sd, up, hires, result.images().get(r.index()), ctx);
      files.put(r.index(), img.file());
      written.add(img);
    }
    String json = SelectionReport.pretty(SelectionReport.json(report, candidates.size(), files));
    String stem = String.format(Locale.ROOT, "selection-%d", candidates.get(0).seed());
    // An earlier run's report keeps its name: this one takes the next free one, its sheet beside
    // it.
    Path reportFile = ctx.sink().file(stem + ".json", json.getBytes(StandardCharsets.UTF_8));
    Path sheetFile =
        ctx.sink()
            .file(
                SelectionReport.sheetPath(reportFile).getFileName().toString(),
                SelectionReport.png(SelectionReport.sheet(report, candidates)));
    return new JobResult.SelectionOutcome(report, reportFile, sheetFile, json);
  }

  /** The scorer names, comma-separated entries split; the built-in judge when none are given. */
  static List<String> scorerNames(List<String> names) {
    if (names == null) {
      return List.of(atelier.quality.Scorers.DEFAULT);
    }
    List<String> out = new ArrayList<>();
    for (String n : names) {
      for (String part : n.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  /** One image written, and the front end told at once. */
  private static JobResult.Image write(
      StableDiffusion sd, Upscaler up, HiresFix.Settings hires, Artwork artwork, JobContext ctx) {
    JobResult.Image image = writeOne(sd, up, hires, artwork, ctx);
    ctx.events().image(image);
    return image;
  }

  /** One image: as generated, or upscaled (and repainted) with the steps recorded. */
  private static JobResult.Image writeOne(
      StableDiffusion sd, Upscaler up, HiresFix.Settings hires, Artwork artwork, JobContext ctx) {
    long seed = artwork.record().settings().seed();
    if (up == null) {
      Path file =
          ctx.sink()
              .image(
                  new OutputImage(
                      ArtworkPng.encode(artwork),
                      artwork.image().getWidth(),
                      artwork.image().getHeight(),
                      seed,
                      null));
      return new JobResult.Image(
          file,
          seed,
          artwork.image().getWidth(),
          artwork.image().getHeight(),
          artwork.record(),
          null);
    }
    HiresFix.Result r = HiresFix.apply(sd, up, artwork, hires, ctx.progress(), ctx.cancel());
    int w = r.image().getWidth();
    int h = r.image().getHeight();
    Path file =
        ctx.sink().image(new OutputImage(PngText.encode(r.image(), r.texts()), w, h, seed, null));
    return new JobResult.Image(file, seed, w, h, artwork.record(), r.upscale());
  }

  /**
   * The spec with its {@code loras} written into the prompt as A1111's {@code <lora:name:w>} tags
   * (so the stored prompt names every LoRA, as A1111's does, and a re-run applies them again).
   */
  static GenerateSpec withLoraTags(GenerateSpec spec) {
    if (spec.loras() == null) {
      return spec;
    }
    StringBuilder prompt = new StringBuilder(spec.prompt());
    for (LoraRequest l : spec.loras()) {
      prompt.append(prompt.length() == 0 ? "" : " ").append(LoraTags.format(l.name(), l.weight()));
    }
    return spec.toBuilder().prompt(prompt.toString()).loras(null).build();
  }

  /** The run's notes: how each LoRA matched, each distinct warning and truncation of its images. */
  private static List<String> notes(StableDiffusion sd, GenerationResult result) {
    List<String> notes = new ArrayList<>();
    sd.loras().forEach(l -> notes.add(l.summary()));
    for (Artwork a : result.images()) {
      for (String w : a.record().warnings()) {
        if (!notes.contains(w)) {
          notes.add(w);
        }
      }
      for (String t : a.record().truncated()) {
        String n = "truncated: " + t;
        if (!notes.contains(n)) {
          notes.add(n);
        }
      }
    }
    return notes;
  }
}

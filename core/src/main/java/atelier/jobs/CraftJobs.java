package atelier.jobs;

import atelier.AtelierHome;
import atelier.image.basemap.BasemapChain;
import atelier.model.SessionSettings;
import atelier.model.lora.LoraRequest;
import atelier.model.lora.LoraStore;
import atelier.model.lora.LoraUse;
import atelier.pipeline.StableDiffusion;
import atelier.quality.Scorers;
import atelier.recipe.Job;
import atelier.recipe.Jobs;
import atelier.recipe.NeuralUpscaler;
import atelier.recipe.Recipe;
import atelier.recipe.RecipeInputs;
import atelier.recipe.RecipePlanner;
import atelier.recipe.RecipeRunner;
import atelier.recipe.ScoringSelector;
import atelier.recipe.Sweep;
import atelier.recipe.SweepRunner;
import atelier.recipe.Upscaler;
import atelier.text.LoraTags;
import atelier.text.library.PromptLibrary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Plans and runs recipe and sweep jobs, as {@code atelier recipe run} and {@code sweep} do. */
final class CraftJobs {
  private final AtelierHome home;
  private final SessionSettings session;
  private final ModelCache cache;
  private final ModelResolver models;

  CraftJobs(AtelierHome home, SessionSettings session, ModelCache cache, ModelResolver models) {
    this.home = home;
    this.session = session;
    this.cache = cache;
    this.models = models;
  }

  /**
   * A recipe's plan: the recipe, its jobs (basemaps made, not written) and what this installation
   * does differently from what it asks.
   */
  record RecipePlan(
      Recipe recipe,
      List<Job> jobs,
      ScoringSelector selector,
      Upscaler upscaler,
      List<String> notes,
      List<LoraUse> loras,
      atelier.recipe.RecipeControl control) {}

  /** A sweep's plan: the axes, the base job and every cell. */
  record SweepPlan(Sweep sweep, Job base, List<Sweep.Cell> cells, PromptLibrary library) {}

  RecipePlan plan(RecipeSpec spec, Path dir) {
    Recipe r = CraftSources.recipes(home).find(spec.recipe(), CraftSources.paths(spec.sets()));
    List<Job> jobs =
        new RecipePlanner(CraftSources.library(home, null))
            .plan(
                r,
                new RecipeInputs(
                    CraftSources.params(spec.sets()),
                    spec.input() == null ? null : Path.of(spec.input()),
                    spec.text(),
                    spec.seed()),
                dir);
    jobs = withLoraTags(jobs, spec.loras());
    List<LoraUse> loras = loras(r, jobs);
    SessionSettings device = SessionSettings.of(session.device());
    ScoringSelector selector = new ScoringSelector(new Scorers.Sources(home, null, null, device));
    // The recipe's method decides: lanczos resizes, auto and named networks use an installed one.
    Upscaler upscaler =
        r.upscale() == null
            ? Upscaler.LANCZOS
            : NeuralUpscaler.forMethod(r.upscale().method(), home, device);
    atelier.recipe.RecipeControl control =
        r.control() == null
            ? null
            : atelier.recipe.RecipeControl.find(r.control(), atelier.model.ModelStore.of(home));
    List<String> notes = new ArrayList<>(notes(r, selector, upscaler));
    if (control != null && jobs.stream().anyMatch(j -> j.request().init() != null)) {
      notes.add(control.planNote());
    }
    return new RecipePlan(r, jobs, selector, upscaler, List.copyOf(notes), loras, control);
  }

  /**
   * The jobs with the spec's LoRAs written into each prompt as {@code <lora:NAME:W>} tags, so each
   * record's prompt names them (as {@code generate --lora} does) and the tags decide what is
   * merged.
   */
  static List<Job> withLoraTags(List<Job> jobs, List<LoraRequest> loras) {
    if (loras == null) {
      return jobs;
    }
    StringBuilder tags = new StringBuilder();
    for (LoraRequest l : loras) {
      tags.append(' ').append(LoraTags.format(l.name(), l.weight()));
    }
    List<Job> out = new ArrayList<>();
    for (Job j : jobs) {
      String prompt = j.request().prompt() + tags;
      out.add(
          new Job(
              j.name(),
              j.request().toBuilder().prompt(prompt.strip()).build(),
              j.basemap(),
              j.basemapPng(),
              j.basemapFile(),
              j.provenance(),
              j.notes()));
    }
    return List.copyOf(out);
  }

  /**
   * The LoRAs a recipe's jobs merge: the {@code <lora:…>} tags of their prompts, found in the data
   * folder's {@code loras/} or as files. One model serves every job of a run, so every job must
   * name the same ones.
   *
   * @throws atelier.BadRequestException for a LoRA that is not found, or jobs that differ
   */
  private List<LoraUse> loras(Recipe r, List<Job> jobs) {
    LoraStore store = LoraStore.of(home);
    List<LoraTags.Tag> first = null;
    for (Job j : jobs) {
      List<LoraTags.Tag> tags = LoraTags.find(j.request().prompt());
      if (first == null) {
        first = tags;
      } else if (!tags.equals(first)) {
        throw new atelier.BadRequestException(
            "recipe "
                + r.name()
                + ": expected the same LoRAs in every job (one model serves the run), found "
                + describe(first)
                + " in "
                + jobs.get(0).name()
                + " and "
                + describe(tags)
                + " in "
                + j.name());
      }
    }
    return first == null
        ? List.of()
        : first.stream().map(t -> store.resolve(new LoraRequest(t.name(), t.weight()))).toList();
  }

  private static String describe(List<LoraTags.Tag> tags) {
    return tags.isEmpty()
        ? "none"
        : String.join(" ", tags.stream().map(t -> LoraTags.format(t.name(), t.weight())).toList());
  }

  SweepPlan plan(SweepSpec spec, Path dir) {
    Sweep sweep = spec.sweep();
    PromptLibrary lib = CraftSources.library(home, null);
    Job base;
    if (spec.recipe() != null) {
      Recipe r = CraftSources.recipes(home).find(spec.recipe(), CraftSources.paths(spec.sets()));
      base =
          new RecipePlanner(lib)
              .plan(
                  r,
                  new RecipeInputs(
                      CraftSources.params(spec.sets()),
                      spec.input() == null ? null : Path.of(spec.input()),
                      spec.text(),
                      spec.seed()),
                  dir)
              .get(0);
    } else {
      base =
          Jobs.plain(
              "sweep",
              spec.request(),
              spec.strength(),
              spec.init() == null ? null : Path.of(spec.init()),
              BasemapChain.parse(spec.ops()),
              dir);
    }
    return new SweepPlan(sweep, base, sweep.plan(base.request(), lib), lib);
  }

  JobResult runRecipe(RecipeSpec spec, JobContext ctx) {
    Path dir = ctx.sink().folder();
    RecipePlan plan = plan(spec, dir);
    Path modelDir = models.resolve(spec.model(), null);
    List<RecipeRunner.Output> outputs;
    List<String> notes = new ArrayList<>();
    try (ModelCache.Lease<StableDiffusion> sd = cache.pipeline(modelDir, session, plan.loras())) {
      ctx.events().loaded(sd.get());
      sd.get().loras().forEach(l -> notes.add(l.summary()));
      outputs =
          new RecipeRunner(sd.get(), plan.upscaler(), plan.selector())
              .withControl(plan.control())
              .run(plan.jobs(), dir, ctx.events(), ctx.progress(), ctx.cancel());
    }
    List<JobResult.Image> images = new ArrayList<>();
    for (RecipeRunner.Output o : outputs) {
      images.add(
          new JobResult.Image(
              o.file(),
              o.artwork().record().settings().seed(),
              o.artwork().image().getWidth(),
              o.artwork().image().getHeight(),
              o.artwork().record(),
              null));
    }
    notes.addAll(plan.notes());
    return new JobResult(spec.kind(), images, null, List.of(), List.copyOf(notes), null);
  }

  JobResult runSweep(SweepSpec spec, JobContext ctx) {
    Path dir = ctx.sink().folder();
    SweepPlan plan = plan(spec, dir);
    Path modelDir = models.resolve(spec.model(), null);
    SweepRunner.Result r;
    try (ModelCache.Lease<StableDiffusion> sd = cache.pipeline(modelDir, session)) {
      r =
          new SweepRunner(sd.get(), plan.library())
              .run(
                  plan.sweep(),
                  plan.base(),
                  dir,
                  (cell, file) -> ctx.events().cell(cell, file),
                  ctx.progress(),
                  ctx.cancel());
    }
    List<JobResult.Image> images = new ArrayList<>();
    for (int i = 0; i < r.images().size(); i++) {
      Sweep.Cell c = plan.cells().get(i);
      images.add(new JobResult.Image(r.images().get(i), c.request().seed(), 0, 0, null, null));
    }
    return new JobResult(spec.kind(), images, null, r.sheets(), List.of(), null);
  }

  /** What this installation does differently from what the recipe asks. */
  static List<String> notes(Recipe r, ScoringSelector selector, Upscaler upscaler) {
    List<String> notes = new ArrayList<>();
    if (r.select().keep() == Recipe.Select.Keep.BEST) {
      String note = selector.plan(r.select()).note();
      if (note != null) {
        notes.add(note);
      }
    }
    if (r.upscale() != null
        && r.upscale().method().equals("auto")
        && upscaler == Upscaler.LANCZOS) {
      notes.add(
          "upscale method auto: no super-resolution model is installed (atelier models pull"
              + " upscalerjs-esrgan-thick); images are resized with Lanczos to "
              + r.upscale().width()
              + "×"
              + r.upscale().height());
    }
    return notes;
  }
}

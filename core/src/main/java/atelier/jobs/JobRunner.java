package atelier.jobs;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.image.PngText;
import atelier.model.SessionSettings;
import atelier.recipe.Recipe;
import atelier.upscale.UpscalePng;
import atelier.upscale.Upscaler;
import atelier.upscale.UpscalerStore;
import atelier.upscale.Upscaling;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs jobs: the one place that decides how a generate, upscale, recipe or sweep job is carried
 * out, for every front end. Models come from the {@link ModelCache} (warm between jobs), model
 * references are resolved by the {@link ModelResolver}, and each finished image goes to the
 * context's sink at once.
 *
 * <p>Thread-safe: any number of threads may run jobs at once on one runner (they share the cache; a
 * loaded model is shared and keeps run state per run).
 */
public final class JobRunner {
  private final AtelierHome home;
  private final SessionSettings session;
  private final ModelCache cache;
  private final ModelResolver models;
  private final GenerateJob generate;
  private final CraftJobs craft;

  /**
   * A runner.
   *
   * @param home the data folder (installed models, upscalers, scorers, recipes, library)
   * @param session the device and threads models are loaded with
   * @param cache where models are leased; the caller closes it
   * @param models how a spec's model reference becomes a folder
   */
  public JobRunner(
      AtelierHome home, SessionSettings session, ModelCache cache, ModelResolver models) {
    this.home = home;
    this.session = session;
    this.cache = cache;
    this.models = models;
    this.generate = new GenerateJob(home, session, cache, models);
    this.craft = new CraftJobs(home, session, cache, models);
  }

  /**
   * Checks a spec against this installation and fixes its seed, as a queue does at submission: the
   * basemap or input picture is read, a recipe is found and planned, and a job without a seed gets
   * one (a recipe's own seed is kept), so running the prepared spec again makes the same images.
   * Nothing is written and no model is loaded.
   *
   * @throws BadRequestException when the job cannot run as given
   */
  public JobSpec prepare(JobSpec spec) {
    long drawn = ThreadLocalRandom.current().nextLong(1L << 32);
    Path planDir = home.outputs();
    if (spec instanceof GenerateSpec g) {
      g.request();
      return g.withSeedIfUnset(drawn);
    }
    if (spec instanceof UpscaleSpec u) {
      readInput(u);
      return u;
    }
    if (spec instanceof RecipeSpec r) {
      CraftJobs.RecipePlan plan = craft.plan(r, planDir);
      return r.seed() != null || plan.recipe().generate().seed() != null ? r : r.withSeed(drawn);
    }
    SweepSpec s = (SweepSpec) spec;
    craft.plan(s, planDir);
    boolean recipeSeed =
        s.recipe() != null
            && CraftSources.recipes(home)
                    .find(s.recipe(), CraftSources.paths(s.sets()))
                    .generate()
                    .seed()
                != null;
    return s.seed() != null || recipeSeed ? s : s.withSeed(drawn);
  }

  /**
   * Runs a job to the end.
   *
   * @return what it wrote (every image also went to the sink the moment it was made)
   * @throws atelier.CancelledException when cancelled; the images finished before stay in the sink
   * @throws atelier.AtelierException for a bad request, a model that cannot load or a failed run
   */
  public JobResult run(JobSpec spec, JobContext ctx) {
    if (spec instanceof GenerateSpec g) {
      return generate.run(g, ctx);
    }
    if (spec instanceof UpscaleSpec u) {
      return upscale(u, ctx);
    }
    if (spec instanceof RecipeSpec r) {
      return craft.runRecipe(r, ctx);
    }
    return craft.runSweep((SweepSpec) spec, ctx);
  }

  /** The jobs a recipe spec would run (basemaps made, nothing written): for dry runs. */
  public List<atelier.recipe.Job> planRecipe(RecipeSpec spec, Path outDir) {
    return craft.plan(spec, outDir).jobs();
  }

  /** The recipe a spec names, with its sets applied. */
  public Recipe recipe(RecipeSpec spec) {
    return craft.plan(spec, home.outputs()).recipe();
  }

  /** What this installation would do differently from what the recipe asks. */
  public List<String> recipeNotes(RecipeSpec spec) {
    return craft.plan(spec, home.outputs()).notes();
  }

  /**
   * What a recipe run would do, for a front end to show before it starts: the recipe with its sets
   * applied, its jobs (basemaps made, nothing written) and the notes on what this installation does
   * differently from what the recipe asks.
   */
  public record RecipePreview(Recipe recipe, List<atelier.recipe.Job> jobs, List<String> notes) {}

  /** The preview of a recipe spec writing into {@code outDir}. */
  public RecipePreview previewRecipe(RecipeSpec spec, Path outDir) {
    CraftJobs.RecipePlan plan = craft.plan(spec, outDir);
    return new RecipePreview(plan.recipe(), plan.jobs(), plan.notes());
  }

  /** What a sweep would make: its base job and every cell, in order (nothing written). */
  public record SweepPreview(atelier.recipe.Job base, List<atelier.recipe.Sweep.Cell> cells) {}

  /** The preview of a sweep spec writing into {@code outDir}. */
  public SweepPreview previewSweep(SweepSpec spec, Path outDir) {
    CraftJobs.SweepPlan plan = craft.plan(spec, outDir);
    return new SweepPreview(plan.base(), plan.cells());
  }

  /** The cells a sweep spec would make, in order (nothing written): for dry runs. */
  public List<atelier.recipe.Sweep.Cell> planSweep(SweepSpec spec, Path outDir) {
    return craft.plan(spec, outDir).cells();
  }

  private JobResult upscale(UpscaleSpec spec, JobContext ctx) {
    UpscalePng.Input in = readInput(spec);
    Path modelPath = UpscalerStore.of(home).resolve(spec.model(), spec.scale());
    try (ModelCache.Lease<Upscaler> up = cache.upscaler(modelPath, session)) {
      Upscaling.Result r =
          Upscaling.run(up.get(), in.image(), spec.options(), ctx.progress(), ctx.cancel());
      byte[] png = PngText.encode(r.image(), UpscalePng.texts(in.texts(), r.record()));
      int w = r.image().getWidth();
      int h = r.image().getHeight();
      Path file = ctx.sink().image(new OutputImage(png, w, h, null, stem(spec)));
      return new JobResult(
          spec.kind(),
          List.of(new JobResult.Image(file, null, w, h, null, r.record())),
          null,
          List.of(),
          List.of(),
          null);
    }
  }

  /** The suggested output name: the input's stem with {@code -x<scale>}. */
  private static String stem(UpscaleSpec spec) {
    if (spec.input() == null) {
      return "upscaled-x" + spec.scale();
    }
    String name = Path.of(spec.input()).getFileName().toString();
    int dot = name.lastIndexOf('.');
    return (dot > 0 ? name.substring(0, dot) : name) + "-x" + spec.scale();
  }

  private static UpscalePng.Input readInput(UpscaleSpec spec) {
    if (spec.input() != null) {
      return UpscalePng.read(Path.of(spec.input()));
    }
    // Text chunks are read from a file; an upload goes through a private temporary copy.
    Path tmp = null;
    try {
      tmp = Files.createTempFile("atelier-upload", ".img");
      Files.write(tmp, spec.inputData());
      UpscalePng.Input in = UpscalePng.read(tmp);
      return new UpscalePng.Input(in.image(), in.texts());
    } catch (IOException e) {
      throw new UncheckedIOException("buffering the uploaded image failed: " + e.getMessage(), e);
    } catch (BadRequestException e) {
      throw new BadRequestException(
          "uploaded image: expected a PNG, JPEG, BMP or GIF image, found an unreadable file", e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // a leftover temporary file is harmless; the image was read
        }
      }
    }
  }
}

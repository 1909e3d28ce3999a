package atelier.cli;

import atelier.BadRequestException;
import atelier.diffusion.SchedulerKind;
import atelier.image.Resize;
import atelier.image.basemap.BasemapChain;
import atelier.jobs.CraftSources;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.GenerationRequest;
import atelier.recipe.Job;
import atelier.recipe.Jobs;
import atelier.recipe.Recipe;
import atelier.recipe.RecipeInputs;
import atelier.recipe.RecipePlanner;
import atelier.recipe.Sweep;
import atelier.recipe.SweepAxis;
import atelier.recipe.SweepRunner;
import atelier.text.library.PromptLibrary;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier sweep}: one labelled grid over settings, plus every image. */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description = {
      "Generate a labelled grid of images over settings, from a prompt or a recipe.",
      "Axes: seed, guidance, steps, strength, style, sampler or prompt search/replace;",
      "X across, Y down, Z as separate sheets.",
      "Example:",
      "  atelier sweep 'a lighthouse at dusk' --x guidance=3,7.5,12 --y seed=1..3"
    })
final class SweepCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Mixin ModelOptions models;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT", description = "The prompt.")
  String prompt;

  @Option(names = "--x", required = true, paramLabel = "KIND=VALUES", description = "Axis across.")
  String x;

  @Option(names = "--y", paramLabel = "KIND=VALUES", description = "Axis down.")
  String y;

  @Option(names = "--z", paramLabel = "KIND=VALUES", description = "Axis across sheets.")
  String z;

  @Option(names = "--recipe", paramLabel = "NAME|FILE", description = "Sweep over a recipe's job.")
  String recipe;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Recipe parameter or setting.")
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--input",
      paramLabel = "FILE",
      description = "The recipe's input picture or logo.")
  Path input;

  @Option(names = "--text", paramLabel = "TEXT", description = "The recipe's text.")
  String text;

  @Option(
      names = {"-n", "--negative"},
      paramLabel = "TEXT",
      description = "Negative prompt.")
  String negative;

  @Option(names = "--steps", paramLabel = "N", description = "Sampler steps.")
  Integer steps;

  @Option(
      names = {"-g", "--guidance", "--cfg"},
      paramLabel = "G",
      description = "Guidance scale.")
  Double guidance;

  @Option(
      names = {"-s", "--scheduler", "--sampler"},
      paramLabel = "NAME",
      description = "Sampler.")
  String scheduler;

  @Option(names = "--seed", paramLabel = "S", description = "Seed (when seed is not an axis).")
  Long seed;

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
      names = {"-i", "--init"},
      paramLabel = "IMAGE",
      description = "Basemap picture.")
  Path init;

  @Option(names = "--op", paramLabel = "OP", description = "Basemap operation (repeatable).")
  List<String> ops = new ArrayList<>();

  @Option(names = "--strength", paramLabel = "S", description = "Image-to-image strength.")
  Double strength;

  @Option(names = "--fit", paramLabel = "MODE", description = "cover, contain or stretch.")
  String fit;

  @Option(
      names = {"-o", "--out"},
      paramLabel = "DIR",
      description =
          "Output folder (default: sweep-DATE-TIME in the configured output folder, else"
              + " ./outputs).")
  Path out;

  @Option(names = "--dry-run", description = "List the cells; no model needed.")
  boolean dryRun;

  @Option(names = "--json", description = "Print JSON; no progress bar.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    Sweep sweep =
        new Sweep(
            SweepAxis.parse(x),
            y == null ? null : SweepAxis.parse(y),
            z == null ? null : SweepAxis.parse(z));
    Path dir =
        out != null
            ? out
            : Output.defaultFolder(spec)
                .resolve(
                    "sweep-"
                        + LocalDateTime.now()
                            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    atelier.OutputTarget.checkFolder(dir, dir);
    PromptLibrary lib = CraftSources.library(Home.of(spec), null);
    Job base = recipe != null ? fromRecipe(lib, dir) : fromOptions(dir);
    List<Sweep.Cell> cells = sweep.plan(base.request(), lib);
    PrintWriter o = spec.commandLine().getOut();
    if (dryRun) {
      report(o, base, cells, null);
      return 0;
    }
    if (!json) { // the plan first; each cell's line as its file is written
      header(o, base, cells);
    }
    SweepRunner.Result result =
        ModelRun.with(
            spec,
            models.model,
            null,
            models.yes,
            json,
            ModelRun.settings(spec, models.device, models.threads),
            (sd, progress, cancel) ->
                new SweepRunner(sd, lib)
                    .run(
                        sweep,
                        base,
                        dir,
                        (cell, file) -> {
                          if (!json) {
                            o.println(cellLine(base, cell, file));
                            o.flush();
                          }
                        },
                        progress,
                        cancel));
    report(o, base, cells, result);
    return 0;
  }

  private Job fromRecipe(PromptLibrary lib, Path dir) {
    if (prompt != null
        || negative != null
        || steps != null
        || guidance != null
        || scheduler != null
        || width != null
        || height != null
        || init != null
        || !ops.isEmpty()
        || strength != null
        || fit != null) {
      throw new BadRequestException(
          "sweep --recipe: expected settings as --set generate.KEY=VALUE (and the prompt from the"
              + " recipe), found generation options");
    }
    Map<String, String> all = CraftSources.pairs(sets, "--set");
    Recipe r = CraftSources.recipes(Home.of(spec)).find(recipe, CraftSources.paths(all));
    return new RecipePlanner(lib)
        .plan(r, new RecipeInputs(CraftSources.params(all), input, text, seed), dir)
        .get(0);
  }

  private Job fromOptions(Path dir) {
    if (prompt == null) {
      throw new BadRequestException("prompt: expected a PROMPT or --recipe NAME, found neither");
    }
    if (!sets.isEmpty() || input != null || text != null) {
      throw new BadRequestException(
          "sweep: --set, --input and --text apply to --recipe; for a plain prompt use --init and"
              + " --op");
    }
    GenerationRequest request =
        GenerationRequest.builder(prompt)
            .negativePrompt(negative)
            .size(width, height)
            .steps(steps)
            .guidance(guidance)
            .scheduler(scheduler == null ? null : SchedulerKind.lookup(scheduler))
            .seed(seed)
            .fit(fit == null ? null : Resize.Fit.lookup(fit))
            .build();
    return Jobs.plain("sweep", request, strength, init, BasemapChain.parse(ops), dir);
  }

  private void report(PrintWriter o, Job base, List<Sweep.Cell> cells, SweepRunner.Result r) {
    if (json) {
      ObjectNode root = ArtworkPng.json().createObjectNode();
      root.put("prompt", base.request().prompt());
      ArrayNode arr = root.putArray("cells");
      for (int i = 0; i < cells.size(); i++) {
        Sweep.Cell c = cells.get(i);
        ObjectNode n = arr.addObject();
        n.set("values", ArtworkPng.json().valueToTree(c.values()));
        n.put("prompt", c.request().prompt());
        if (r != null) {
          n.put("file", r.images().get(i).toString());
        }
      }
      if (r != null) {
        ArrayNode sheets = root.putArray("sheets");
        r.sheets().forEach(s -> sheets.add(s.toString()));
      }
      o.println(root.toString());
    } else if (r == null) {
      header(o, base, cells);
      cells.forEach(c -> o.println(cellLine(base, c, null)));
    } else {
      r.sheets().forEach(s -> o.println("wrote grid " + s));
    }
    o.flush();
  }

  private static void header(PrintWriter o, Job base, List<Sweep.Cell> cells) {
    o.println(
        cells.size()
            + " cell"
            + (cells.size() == 1 ? "" : "s")
            + " over: "
            + base.request().prompt());
    o.flush();
  }

  private static String cellLine(Job base, Sweep.Cell c, Path file) {
    StringBuilder sb = new StringBuilder("  ");
    c.values().forEach((k, v) -> sb.append(k).append('=').append(v).append("  "));
    if (!c.request().prompt().equals(base.request().prompt())) {
      sb.append("prompt: ").append(c.request().prompt());
    }
    if (file != null) {
      sb.append(" → ").append(file);
    }
    return sb.toString().stripTrailing();
  }
}

package atelier.cli;

import atelier.jobs.CraftSources;
import atelier.jobs.JobEvents;
import atelier.jobs.JobResult;
import atelier.jobs.JobRunner;
import atelier.jobs.ModelCache;
import atelier.jobs.OutputSink;
import atelier.jobs.SweepSpec;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.pipeline.ArtworkPng;
import atelier.recipe.Job;
import atelier.recipe.Sweep;
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
    // The spec checks the axes and which options go together, with the messages it shares.
    SweepSpec job =
        new SweepSpec(
            prompt,
            x,
            y,
            z,
            recipe,
            recipe == null ? rawSets() : CraftSources.pairs(sets, "--set"),
            input == null ? null : input.toString(),
            text,
            negative,
            steps,
            guidance,
            scheduler,
            seed,
            width,
            height,
            init == null ? null : init.toString(),
            ops,
            strength,
            fit,
            null);
    Path dir =
        out != null
            ? out
            : Output.defaultFolder(spec)
                .resolve(
                    "sweep-"
                        + LocalDateTime.now()
                            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    atelier.OutputTarget.checkFolder(dir, dir);
    PrintWriter o = spec.commandLine().getOut();
    JobRunner.SweepPreview plan;
    try (ModelCache cache = Jobs.oneShot()) {
      plan =
          Jobs.runner(spec, SessionSettings.of(Device.CPU), cache, false, true)
              .previewSweep(job, dir);
    }
    Job base = plan.base();
    List<Sweep.Cell> cells = plan.cells();
    if (dryRun) {
      report(o, base, cells, null);
      return 0;
    }
    if (!json) { // the plan first; each cell's line as its file is written
      header(o, base, cells);
    }
    SessionSettings settings = ModelRun.settings(spec, models.device, models.threads);
    Path model = Models.resolve(spec, models.model, null, models.yes, json);
    JobResult result =
        ModelRun.job(
            spec,
            json,
            settings,
            job.withModel(model.toString()),
            OutputSink.folder(dir),
            new JobEvents() {
              @Override
              public void cell(Sweep.Cell cell, Path file) {
                if (!json) {
                  o.println(cellLine(base, cell, file));
                  o.flush();
                }
              }
            });
    report(o, base, cells, result);
    return 0;
  }

  /**
   * The {@code --set} values of a plain-prompt sweep, unparsed: the spec only needs to see that
   * there are some (they apply to {@code --recipe}).
   */
  private Map<String, String> rawSets() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < sets.size(); i++) {
      m.put("--set " + (i + 1), sets.get(i));
    }
    return m;
  }

  private void report(PrintWriter o, Job base, List<Sweep.Cell> cells, JobResult r) {
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
          n.put("file", r.images().get(i).file().toString());
        }
      }
      if (r != null) {
        ArrayNode sheets = root.putArray("sheets");
        r.files().forEach(s -> sheets.add(s.toString()));
      }
      o.println(root.toString());
    } else if (r == null) {
      header(o, base, cells);
      cells.forEach(c -> o.println(cellLine(base, c, null)));
    } else {
      r.files().forEach(s -> o.println("wrote grid " + s));
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

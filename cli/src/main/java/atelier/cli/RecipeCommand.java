package atelier.cli;

import atelier.BadRequestException;
import atelier.jobs.CraftSources;
import atelier.jobs.JobEvents;
import atelier.jobs.JobRunner;
import atelier.jobs.ModelCache;
import atelier.jobs.OutputSink;
import atelier.jobs.RecipeSpec;
import atelier.model.SessionSettings;
import atelier.model.lora.LoraRequest;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.StableDiffusion;
import atelier.quality.Selection;
import atelier.quality.SelectionReport;
import atelier.recipe.Job;
import atelier.recipe.Recipe;
import atelier.recipe.RecipeReader;
import atelier.recipe.RecipeRunner;
import atelier.recipe.Recipes;
import atelier.recipe.Selector;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier recipe list|show|check|schema|run}. */
@Command(
    name = "recipe",
    mixinStandardHelpOptions = true,
    description = "Recipes: an expert's settings for one application, in one command.",
    subcommands = {
      RecipeCommand.ListCmd.class,
      RecipeCommand.Show.class,
      RecipeCommand.Check.class,
      RecipeCommand.Schema.class,
      RecipeCommand.Run.class
    })
final class RecipeCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Lists the catalogue. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the recipes.")
  static final class ListCmd implements Callable<Integer>, Terminal.JsonAware {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public boolean json() {
      return json;
    }

    @Override
    public Integer call() {
      PrintWriter o = spec.commandLine().getOut();
      List<Recipe> all = CraftSources.recipes(Home.of(spec)).all();
      if (json) {
        ArrayNode arr = ArtworkPng.json().createArrayNode();
        for (Recipe r : all) {
          arr.addObject()
              .put("name", r.name())
              .put("version", r.version())
              .put("title", r.title())
              .put("input", r.input().name().toLowerCase(Locale.ROOT))
              .put("optionalPicture", r.optionalPicture())
              .put("source", r.source());
        }
        o.println(arr.toString());
      } else {
        for (Recipe r : all) {
          o.printf(
              Locale.ROOT,
              "%-20s %-7s %-6s %s%n",
              r.name(),
              r.version(),
              r.optionalPicture() ? "[image]" : r.input().name().toLowerCase(Locale.ROOT),
              r.title());
        }
      }
      o.flush();
      return 0;
    }
  }

  /** Prints a recipe's file. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print a recipe (a built-in one is a good start for your own).")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME|FILE", description = "Recipe name or file.")
    String name;

    @Override
    public Integer call() {
      Recipes.Source s = CraftSources.recipes(Home.of(spec)).source(name);
      RecipeReader.read(s.text(), s.origin(), Map.of());
      PrintWriter o = spec.commandLine().getOut();
      o.print(s.text());
      o.flush();
      return 0;
    }
  }

  /** Checks recipe files. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Check recipe files against the format; print every problem.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Recipe files.")
    List<Path> files;

    @Override
    public Integer call() {
      PrintWriter o = spec.commandLine().getOut();
      List<String> failed = new ArrayList<>();
      for (Path f : files) {
        try {
          Recipe r = RecipeReader.read(f);
          o.println(f + ": ok (" + r.name() + " " + r.version() + ")");
        } catch (BadRequestException e) {
          String m = e.getMessage();
          failed.add(m.startsWith("recipe " + f + ":") ? m : f + ": " + m);
        }
      }
      o.flush();
      if (!failed.isEmpty()) {
        throw new BadRequestException(String.join("\n", failed));
      }
      return 0;
    }
  }

  /** Prints the JSON schema. */
  @Command(
      name = "schema",
      mixinStandardHelpOptions = true,
      description = "Print the recipe format's JSON schema (for editors).")
  static final class Schema implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      try (InputStream in =
          Recipe.class.getResourceAsStream("/atelier/recipe/recipe.schema.json")) {
        spec.commandLine().getOut().print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /** Plans and runs a recipe. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Run a recipe.",
        "--set NAME=VALUE sets a parameter, --set section.key=VALUE any setting",
        "(generate.steps=30, upscale.width=1170, 'series.items=[a fox, an owl]')."
      })
  static final class Run implements Callable<Integer>, Terminal.JsonAware {
    @Spec CommandSpec spec;

    @Mixin ModelOptions models;

    @Parameters(paramLabel = "NAME|FILE", description = "Recipe name or file.")
    String name;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Parameter or setting.")
    List<String> sets = new ArrayList<>();

    @Option(
        names = {"-i", "--input"},
        paramLabel = "FILE",
        description =
            "Input picture or logo (optional for the wallpapers: a photo kept whole and"
                + " outpainted to the screen's aspect).")
    Path input;

    @Option(names = "--text", paramLabel = "TEXT", description = "Text for text recipes.")
    String text;

    @Option(names = "--seed", paramLabel = "S", description = "Seed (overrides the recipe's).")
    Long seed;

    @Option(
        names = "--lora",
        paramLabel = "FILE|NAME[:W]",
        description =
            "Merge a LoRA (kohya/A1111 .safetensors, or an installed name) at weight W (1) for"
                + " every job; repeatable; also <lora:NAME:W> in the recipe's prompt or a --set"
                + " value.")
    List<String> loras;

    @Option(
        names = {"-o", "--out"},
        paramLabel = "DIR",
        description =
            "Output folder (default: NAME in the configured output folder, else ./outputs/NAME).")
    Path out;

    @Option(
        names = "--dry-run",
        description = "Plan only: print the jobs and write the basemaps; no model needed.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON; no progress bar.")
    boolean json;

    @Override
    public boolean json() {
      return json;
    }

    @Override
    public Integer call() {
      Map<String, String> all = CraftSources.pairs(sets, "--set");
      Recipe r = CraftSources.recipes(Home.of(spec)).find(name, CraftSources.paths(all));
      // The spec checks the seed; planning, the upscaler and the notes are core's.
      RecipeSpec job =
          new RecipeSpec(
              name,
              all,
              input == null ? null : input.toString(),
              text,
              seed,
              null,
              loras == null ? null : loras.stream().map(LoraRequest::parse).toList());
      Path dir = out != null ? out : Output.defaultFolder(spec).resolve(r.name());
      atelier.OutputTarget.checkFolder(dir, dir);
      PrintWriter o = spec.commandLine().getOut();
      SessionSettings settings = ModelRun.settings(spec, models.device, models.threads);
      JobRunner.RecipePreview plan;
      try (ModelCache cache = Jobs.oneShot()) {
        plan = Jobs.runner(spec, settings, cache, false, true).previewRecipe(job, dir);
      }
      List<Job> jobs = plan.jobs();
      List<String> notes = plan.notes();
      if (!json) {
        printPlan(o, jobs, notes); // the plan comes before any work
      }
      if (dryRun) {
        jobs.forEach(RecipeRunner::writeBasemapOf);
        if (json) {
          printJson(o, plan.recipe(), jobs, null, List.of(), notes);
        }
        return 0;
      }
      List<RecipeRunner.Selected> selections = new ArrayList<>();
      List<RecipeRunner.Output> outputs = new ArrayList<>();
      JobEvents events = json ? collect(outputs, selections) : new Feedback(o, outputs, selections);
      Path model = Models.resolve(spec, models.model, null, models.yes, json);
      ModelRun.job(
          spec, json, settings, job.withModel(model.toString()), OutputSink.folder(dir), events);
      if (json) {
        printJson(o, plan.recipe(), jobs, outputs, selections, notes);
      }
      return 0;
    }

    private static JobEvents collect(
        List<RecipeRunner.Output> outputs, List<RecipeRunner.Selected> selections) {
      return new JobEvents() {
        @Override
        public void wrote(RecipeRunner.Output x) {
          outputs.add(x);
        }

        @Override
        public void selected(RecipeRunner.Selected s) {
          selections.add(s);
        }
      };
    }

    /**
     * Tells people what happens as it happens: each stage on standard error, each written file and
     * each selection's ranking on standard output, flushed at once.
     */
    private final class Feedback implements JobEvents {
      private final PrintWriter o;
      private final List<RecipeRunner.Output> outputs;
      private final List<RecipeRunner.Selected> selections;

      Feedback(
          PrintWriter o,
          List<RecipeRunner.Output> outputs,
          List<RecipeRunner.Selected> selections) {
        this.o = o;
        this.outputs = outputs;
        this.selections = selections;
      }

      @Override
      public void loaded(StableDiffusion sd) {
        sd.loras().forEach(l -> o.println(l.summary()));
        o.flush();
      }

      @Override
      public void stage(Job job, int index, int count, RecipeRunner.Stage stage, String detail) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(
            (count > 1 ? "[" + index + "/" + count + "] " : "") + job.name() + ": " + detail);
        err.flush();
      }

      @Override
      public void wrote(RecipeRunner.Output x) {
        outputs.add(x);
        o.printf(
            Locale.ROOT,
            "wrote %s (%d×%d%s)%n",
            x.file(),
            x.artwork().image().getWidth(),
            x.artwork().image().getHeight(),
            x.provenance().upscaler() == null
                ? ""
                : ", upscaled with " + x.provenance().upscaler());
        o.flush();
      }

      @Override
      public void ranked(Job job, Selector.Choice choice) {
        Selection.Report report = choice.report();
        o.println(
            job.name()
                + ": "
                + report.candidates().size()
                + " candidates ranked by "
                + report.rankedBy());
        SelectionReport.lines(report).forEach(o::println);
        o.flush();
      }

      @Override
      public void selected(RecipeRunner.Selected s) {
        selections.add(s);
        Selection.Report report = s.choice().report();
        o.println(
            SelectionReport.summary(
                report, s.choice().kept().size(), s.reportFile(), s.sheetFile()));
        o.flush();
      }
    }

    private static void printPlan(PrintWriter o, List<Job> jobs, List<String> notes) {
      for (Job j : jobs) {
        o.printf(
            Locale.ROOT,
            "%s: seed %d, %s, batch %d%s%n  prompt:   %s%n  negative: %s%n",
            j.name(),
            j.request().seed(),
            j.request().width() == null
                ? "model's size"
                : j.request().width() + "×" + j.request().height(),
            j.request().batch(),
            j.request().init() == null
                ? ""
                : ", basemap "
                    + j.basemapFile()
                    + (j.request().strength() == null
                        ? ""
                        : ", strength " + j.request().strength()),
            j.request().prompt(),
            j.request().negativePrompt());
        j.notes().forEach(n -> o.println("  note: " + n));
      }
      notes.forEach(n -> o.println("note: " + n));
      o.flush();
    }

    private static void printJson(
        PrintWriter o,
        Recipe r,
        List<Job> jobs,
        List<RecipeRunner.Output> outs,
        List<RecipeRunner.Selected> selections,
        List<String> notes) {
      ObjectNode root = ArtworkPng.json().createObjectNode();
      root.put("recipe", r.name()).put("version", r.version());
      ArrayNode js = root.putArray("jobs");
      for (Job j : jobs) {
        ObjectNode n = js.addObject();
        n.put("name", j.name());
        n.put("prompt", j.request().prompt());
        n.put("negative", j.request().negativePrompt());
        n.put("seed", j.request().seed());
        putSize(n, j);
        n.put("batch", j.request().batch());
        n.put("basemap", j.basemapFile() == null ? null : j.basemapFile().toString());
        if (j.request().inpaint() != null) {
          n.put("outpaint", j.request().inpaint().settings().outpaint());
        }
        n.set("notes", ArtworkPng.json().valueToTree(j.notes()));
        n.set("provenance", ArtworkPng.json().valueToTree(j.provenance()));
      }
      if (outs != null) {
        ArrayNode files = root.putArray("files");
        outs.forEach(x -> files.add(x.file().toString()));
        ArrayNode upscalers = root.putArray("upscalers");
        outs.forEach(x -> upscalers.add(x.provenance().upscaler()));
        ArrayNode sel = root.putArray("selections");
        for (RecipeRunner.Selected s : selections) {
          ObjectNode n =
              SelectionReport.json(s.choice().report(), s.choice().candidates().size(), s.files());
          n.put("job", s.job().name());
          n.put("report", s.reportFile().toString());
          n.put("sheet", s.sheetFile().toString());
          sel.add(n);
        }
      }
      root.set("notes", ArtworkPng.json().valueToTree(notes));
      o.println(root.toString());
      o.flush();
    }

    private static void putSize(ObjectNode n, Job j) {
      if (j.request().width() != null) {
        n.put("width", j.request().width());
        n.put("height", j.request().height());
      }
    }
  }
}

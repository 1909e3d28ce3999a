package atelier.recipe;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.model.ModelHasher;
import atelier.pipeline.Artwork;
import atelier.pipeline.GenerationResult;
import atelier.pipeline.StableDiffusion;
import atelier.quality.SelectionReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs planned jobs on a loaded model: writes each basemap, generates through {@link
 * StableDiffusion#generate}, keeps what the {@link Selector} chooses (writing the selection report
 * and contact sheet when it scored), brings each kept image to the recipe's final size with the
 * {@link Upscaler}, and writes PNGs carrying the generation record and the {@link Provenance}.
 * Every stage and every written file is told to a {@link Listener} as it happens. Not thread-safe;
 * one run at a time (the model itself is shared).
 */
public final class RecipeRunner {
  private final StableDiffusion model;
  private final Upscaler upscaler;
  private final Selector selector;
  private final RecipeControl control;

  /** A runner over a loaded model with the given upscaler and selector. */
  public RecipeRunner(StableDiffusion model, Upscaler upscaler, Selector selector) {
    this(model, upscaler, selector, null);
  }

  private RecipeRunner(
      StableDiffusion model, Upscaler upscaler, Selector selector, RecipeControl control) {
    this.model = model;
    this.upscaler = upscaler;
    this.selector = selector;
    this.control = control;
  }

  /** This runner with the recipe's ControlNet as found in the installation (null: none asked). */
  public RecipeRunner withControl(RecipeControl c) {
    return new RecipeRunner(model, upscaler, selector, c);
  }

  /**
   * One written output.
   *
   * @param file the PNG
   * @param artwork the image as written (after upscaling) with its generation record
   * @param provenance what the PNG records besides the generation (with the upscaler used)
   */
  public record Output(Path file, Artwork artwork, Provenance provenance) {}

  /** The stages of one job, in the order they run. */
  public enum Stage {
    BASEMAP,
    GENERATE,
    SELECT,
    UPSCALE
  }

  /**
   * A selection that scored a job's batch.
   *
   * @param choice what was kept and every candidate's rank, score and rejection
   * @param files the written file of each kept candidate, by batch index
   * @param reportFile the JSON report (as {@code generate --candidates} writes)
   * @param sheetFile the contact sheet, kept candidates marked
   */
  public record Selected(
      Job job, Selector.Choice choice, Map<Integer, Path> files, Path reportFile, Path sheetFile) {}

  /**
   * Hears a run as it goes, on the working thread; keep it quick. Every method does nothing by
   * default.
   */
  public interface Listener {
    /**
     * A stage of a job starts.
     *
     * @param index the job's position, 1-based
     * @param count the number of jobs
     * @param detail what the stage does, for people
     */
    default void stage(Job job, int index, int count, Stage stage, String detail) {}

    /** A file was written (called right after it is in place). */
    default void wrote(Output output) {}

    /** A batch was scored; called before the kept images are upscaled and written. */
    default void ranked(Job job, Selector.Choice choice) {}

    /** A batch was scored, its kept images written and its report written. */
    default void selected(Selected selected) {}
  }

  /** Runs jobs in order, writing outputs as they finish; {@link #run(List, Path, Listener, …)}. */
  public List<Output> run(
      List<Job> jobs, Path outDir, ProgressListener progress, CancelToken cancel) {
    return run(jobs, outDir, new Listener() {}, progress, cancel);
  }

  /**
   * Runs jobs in order, writing outputs to {@code outDir} as they finish: with {@code keep: all}
   * each image is finished and written as soon as it is generated; with {@code keep: best} the kept
   * ones are written once the batch is scored.
   *
   * @param events hears each stage and each written file as it happens
   * @param progress receives denoising steps and upscaler tiles
   * @return every output written
   */
  public List<Output> run(
      List<Job> jobs, Path outDir, Listener events, ProgressListener progress, CancelToken cancel) {
    List<Output> outputs = new ArrayList<>();
    for (int j = 0; j < jobs.size(); j++) {
      Job job = jobs.get(j);
      int index = j + 1;
      if (job.basemapFile() != null) {
        events.stage(job, index, jobs.size(), Stage.BASEMAP, "basemap " + job.basemapFile());
        writeBasemapOf(job);
      }
      Provenance prov = job.provenance().withTools(null, selector.name());
      var req = control == null ? job.request() : control.apply(job.request());
      List<String> notes = new ArrayList<>(job.notes());
      String controlNote = control == null ? null : control.note(job.request());
      if (controlNote != null) {
        notes.add(controlNote);
      }
      events.stage(
          job,
          index,
          jobs.size(),
          Stage.GENERATE,
          String.format(
              Locale.ROOT,
              "generate %d image%s, seed%s %d%s",
              req.batch(),
              req.batch() == 1 ? "" : "s",
              req.batch() == 1 ? "" : "s",
              req.seed(),
              req.batch() == 1 ? "" : "…" + (req.seed() + req.batch() - 1)));
      if (prov.select() == null || prov.select().keep() == Recipe.Select.Keep.ALL) {
        model.generate(
            req,
            progress,
            cancel,
            a ->
                outputs.add(
                    finishAndWrite(
                        job,
                        index,
                        jobs.size(),
                        RecipeControl.withNotes(a, notes),
                        prov,
                        outDir,
                        events,
                        progress,
                        cancel)));
        continue;
      }
      GenerationResult generated = model.generate(req, progress, cancel);
      GenerationResult result =
          new GenerationResult(
              generated.images().stream().map(a -> RecipeControl.withNotes(a, notes)).toList(),
              generated.timings());
      events.stage(
          job,
          index,
          jobs.size(),
          Stage.SELECT,
          String.format(
              Locale.ROOT,
              "select the best %d of %d",
              Math.min(prov.select().count(), result.images().size()),
              result.images().size()));
      Selector.Choice choice = selector.select(result.images(), prov.select());
      if (choice.report() != null) {
        events.ranked(job, choice);
      }
      Map<Integer, Path> files = new HashMap<>();
      for (Artwork a : choice.kept()) {
        Output o =
            finishAndWrite(job, index, jobs.size(), a, prov, outDir, events, progress, cancel);
        files.put(result.images().indexOf(a), o.file());
        outputs.add(o);
      }
      if (choice.report() != null) {
        Path report =
            outDir.resolve(
                String.format(Locale.ROOT, "selection-%s-%d.json", job.name(), req.seed()));
        SelectionReport.Files w =
            SelectionReport.writeUnique(
                SelectionReport.json(choice.report(), choice.candidates().size(), files),
                choice.report(),
                choice.candidates(),
                report);
        events.selected(new Selected(job, choice, Map.copyOf(files), w.report(), w.sheet()));
      }
    }
    return outputs;
  }

  private Output finishAndWrite(
      Job job,
      int index,
      int count,
      Artwork a,
      Provenance prov,
      Path outDir,
      Listener events,
      ProgressListener progress,
      CancelToken cancel) {
    long seed = a.record().settings().seed();
    Artwork out = a;
    String used = null;
    Recipe.Upscale spec = prov.upscale();
    if (spec != null) {
      events.stage(
          job,
          index,
          count,
          Stage.UPSCALE,
          String.format(
              Locale.ROOT,
              "upscale seed %d from %d×%d to %d×%d with %s",
              seed,
              a.image().getWidth(),
              a.image().getHeight(),
              spec.width(),
              spec.height(),
              upscaler.name()));
      Upscaler.Result r =
          upscaler.upscale(a.image(), spec.width(), spec.height(), spec.fit(), progress, cancel);
      out = new Artwork(r.image(), a.record(), a.latents());
      used = r.upscaler();
    }
    Provenance written = prov.withTools(used, prov.selector());
    byte[] png = ProvenancePng.encode(out, written);
    Path file =
        atelier.OutputTarget.writeUnique(
            outDir.resolve(String.format(Locale.ROOT, "%s-%d.png", job.name(), seed)),
            o -> o.write(png));
    Output o = new Output(file, out, written);
    events.wrote(o);
    return o;
  }

  /**
   * Writes a job's basemap file (if it has one) unless the same bytes are already there; series
   * items share one. Used before generating and by dry runs, so basemaps can be previewed.
   */
  public static void writeBasemapOf(Job job) {
    if (job.basemapFile() == null) {
      return;
    }
    try {
      Path f = job.basemapFile();
      if (Files.isRegularFile(f)
          && ModelHasher.sha256Of(f).equals(ModelHasher.sha256Of(job.basemapPng()))) {
        return;
      }
      atelier.AtomicFiles.write(f, job.basemapPng());
    } catch (IOException e) {
      throw atelier.OutputTarget.failure(job.basemapFile(), e);
    }
  }
}

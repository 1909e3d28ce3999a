package atelier.jobs;

import atelier.pipeline.StableDiffusion;
import atelier.quality.Selection;
import atelier.recipe.RecipeRunner;
import atelier.recipe.Sweep;
import java.nio.file.Path;

/**
 * What a front end hears while a recipe or sweep job runs, as it happens: each recipe stage, each
 * written file, each best-of-N ranking and selection (the {@link RecipeRunner.Listener} events),
 * each sweep cell's file, and each image of a generate job. Every method does nothing by default.
 * Called on the job's working thread.
 */
public interface JobEvents extends RecipeRunner.Listener {
  /** Hears nothing. */
  JobEvents NONE = new JobEvents() {};

  /** A sweep cell's image was just written to {@code file}. */
  default void cell(Sweep.Cell cell, Path file) {}

  /** A generate job's model is loaded (before the first step): to compare it with a record. */
  default void loaded(StableDiffusion model) {}

  /** A generate job just wrote one image (before the next one starts). */
  default void image(JobResult.Image image) {}

  /**
   * A best-of-N generate job opened its scorers with a note (e.g. the built-in judge could not be
   * loaded and {@code technical} ranks instead).
   */
  default void scorerNote(String note) {}

  /** A best-of-N generate job ranked its candidates (before the kept ones are written). */
  default void candidatesRanked(Selection.Report report) {}
}

package atelier.jobs;

import atelier.recipe.RecipeRunner;
import atelier.recipe.Sweep;
import java.nio.file.Path;

/**
 * What a front end hears while a recipe or sweep job runs, as it happens: each recipe stage, each
 * written file, each best-of-N ranking and selection (the {@link RecipeRunner.Listener} events),
 * and each sweep cell's file. Every method does nothing by default. Called on the job's working
 * thread.
 */
public interface JobEvents extends RecipeRunner.Listener {
  /** Hears nothing. */
  JobEvents NONE = new JobEvents() {};

  /** A sweep cell's image was just written to {@code file}. */
  default void cell(Sweep.Cell cell, Path file) {}
}

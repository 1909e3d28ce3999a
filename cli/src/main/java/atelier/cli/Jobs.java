package atelier.cli;

import atelier.jobs.JobRunner;
import atelier.jobs.ModelCache;
import atelier.model.SessionSettings;
import picocli.CommandLine.Model.CommandSpec;

/** How a one-shot command runs a job: the core runner over a cache that keeps nothing warm. */
final class Jobs {
  private Jobs() {}

  /**
   * A cache for one command: each model is closed when its last user is done; the caller closes the
   * cache.
   */
  static ModelCache oneShot() {
    return new ModelCache(0);
  }

  /**
   * The runner for a command's data folder, resolving models as the CLI does (consent prompt on a
   * terminal unless {@code yes}, none with {@code json}).
   */
  static JobRunner runner(
      CommandSpec spec, SessionSettings settings, ModelCache cache, boolean yes, boolean json) {
    return new JobRunner(Home.of(spec), settings, cache, Models.resolver(spec, yes, json));
  }
}

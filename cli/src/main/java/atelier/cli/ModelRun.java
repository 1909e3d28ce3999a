package atelier.cli;

import atelier.BadRequestException;
import atelier.ProgressListener;
import atelier.jobs.JobContext;
import atelier.jobs.JobEvents;
import atelier.jobs.JobResult;
import atelier.jobs.JobSpec;
import atelier.jobs.ModelCache;
import atelier.jobs.OutputSink;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.model.UserConfig;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How every command that generates runs its job: the device and threads from the options or the
 * configuration, and the core runner with a progress bar on a terminal (not with {@code --json})
 * and a shutdown hook that cancels it on Ctrl-C. The model is resolved first ({@link
 * Models#resolve}: option, recorded model, environment, configuration, catalog default — pulling it
 * when asked).
 */
final class ModelRun {
  private ModelRun() {}

  /** The device and thread settings from the options, else the configured device. */
  static SessionSettings settings(CommandSpec spec, String device, Integer threads) {
    checkThreads(threads);
    UserConfig config = Home.config(Home.of(spec));
    String name = device != null ? device : config.device();
    return new SessionSettings(
        name == null ? Device.CPU : Device.lookup(name), threads == null ? 0 : threads, 0);
  }

  /** A {@code --threads} value: unset, or 1 to {@link SessionSettings#MAX_THREADS}. */
  static int checkThreads(Integer threads) {
    if (threads != null && (threads < 1 || threads > SessionSettings.MAX_THREADS)) {
      throw new BadRequestException(
          "--threads: expected 1 to " + SessionSettings.MAX_THREADS + ", found " + threads);
    }
    return threads == null ? 0 : threads;
  }

  /**
   * Runs a job through the core runner with a progress bar on a terminal (not with {@code --json})
   * and Ctrl-C cancelling it; the job's model should be resolved already ({@link Models#resolve}),
   * so the consent prompt comes before Ctrl-C is taken over.
   */
  static JobResult job(
      CommandSpec spec,
      boolean json,
      SessionSettings settings,
      JobSpec job,
      OutputSink sink,
      JobEvents events) {
    try (CtrlC ctrlC = CtrlC.listen(10_000);
        ModelCache cache = Jobs.oneShot()) {
      ProgressListener progress =
          !json && System.console() != null
              ? new ProgressBar(spec.commandLine().getErr())
              : ProgressListener.NONE;
      return Jobs.runner(spec, settings, cache, false, json)
          .run(job, new JobContext(progress, ctrlC.token(), sink, events));
    }
  }
}

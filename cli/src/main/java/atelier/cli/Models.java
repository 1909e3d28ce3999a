package atelier.cli;

import atelier.jobs.ModelResolver;
import atelier.model.DownloadListener;
import atelier.model.ModelPuller;
import atelier.pipeline.ModelRef;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The terminal side of {@link ModelResolver}: which model folder a command uses is decided in core;
 * here are only the consent prompt (on a terminal, unless {@code --yes}) and the download bar.
 */
final class Models {
  private Models() {}

  /**
   * The resolver for a command: downloads without asking with {@code yes}, asks on a terminal
   * otherwise (never with {@code --json} or without a console), shows a download bar.
   */
  static ModelResolver resolver(CommandSpec spec, boolean yes, boolean json) {
    PrintWriter err = spec.commandLine().getErr();
    Console console = System.console();
    ModelResolver.Consent consent =
        console == null || json ? null : (entry, why, host) -> ask(err, console, entry, why, host);
    DownloadListener bar = json ? DownloadListener.NONE : new DownloadBar(err, console != null);
    ModelResolver.Downloads downloads =
        new ModelResolver.Downloads(
            yes,
            consent,
            bar,
            json
                ? null
                : line -> {
                  err.println("atelier: " + line);
                  err.flush();
                });
    return new ModelResolver(Home.of(spec), System.getenv(), downloads);
  }

  private static boolean ask(
      PrintWriter err, Console console, atelier.model.CatalogEntry entry, String why, String host) {
    err.printf(
        Locale.ROOT,
        "Model %s (%s, %s, licence: %s) %s.%nDownload it from %s now? [y/N] ",
        entry.id(),
        entry.name(),
        ModelResolver.size(entry),
        entry.license(),
        why,
        host);
    err.flush();
    String answer = console.readLine();
    return answer != null && answer.trim().toLowerCase(Locale.ROOT).startsWith("y");
  }

  /** The installed default model for commands that never download ({@code prompt inspect}). */
  static Path defaultModel(CommandSpec spec) {
    return resolver(spec, false, true).installedDefault();
  }

  /**
   * The model folder for {@code generate}: {@code --model}, else the recorded one, else defaults.
   */
  static Path resolve(CommandSpec spec, Path option, ModelRef recorded, boolean yes, boolean json) {
    return resolver(spec, yes, json).resolve(option == null ? null : option.toString(), recorded);
  }

  /** A puller for the data folder, with settings from the environment and the configuration. */
  static ModelPuller puller(CommandSpec spec) {
    return resolver(spec, false, true).puller();
  }
}

package atelier.cli;

import atelier.AtelierException;
import atelier.Version;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code atelier} command: parses, calls core, renders. Exit codes (README "Exit codes"): 0
 * success, 1 unexpected failure, 2 bad request or usage, 3 model could not be loaded, 4 inference
 * failed, 130 cancelled.
 */
@Command(
    name = "atelier",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "AI painting with Stable Diffusion on ONNX Runtime.",
    subcommands = {
      GenerateCommand.class,
      UpscaleCommand.class,
      InfoCommand.class,
      RecipeCommand.class,
      SweepCommand.class,
      BasemapCommand.class,
      PromptCommand.class,
      PromptsCommand.class,
      QualityCommand.class,
      ModelsCommand.class,
      ConfigCommand.class,
      ServeCommand.class,
      WorkerCommand.class,
      SchedulersCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit code for a failure that is none of Atelier's known kinds (a bug). */
  public static final int EXIT_INTERNAL = 1;

  /** The data folder for this run; every subcommand accepts it (picocli inherited option). */
  @Option(
      names = "--home",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description =
          "Data folder: models, config, your prompt library and recipes (default: $ATELIER_HOME"
              + " or the platform's). Images go to the folder outputs in the current folder unless"
              + " --out or config output names another.")
  Path home;

  public static void main(String[] args) {
    CtrlC.exitOnSignals();
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams; returns the exit code. Used by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(new UsageErrors());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          Terminal terminal = Terminal.of(commandLine);
          if (e instanceof AtelierException a) {
            terminal.error(a.kind().name().toLowerCase(java.util.Locale.ROOT), a.getMessage());
            return a.kind().exitCode();
          }
          terminal.error("internal", e.toString());
          e.printStackTrace(commandLine.getErr());
          return EXIT_INTERNAL;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Prints the version of Atelier and of ONNX Runtime. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        Version.SOFTWARE,
        "ONNX Runtime " + atelier.model.OnnxModel.runtimeVersion(),
        "Java " + System.getProperty("java.version")
      };
    }
  }
}

package atelier.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code atelier} command: parses, calls core, renders. */
@Command(
    name = "atelier",
    mixinStandardHelpOptions = true,
    version = "atelier 0.1.0",
    description = "AI painting with Stable Diffusion on ONNX Runtime.")
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}

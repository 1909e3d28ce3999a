package atelier.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of every command that runs a Stable Diffusion model: which one, and where. */
final class ModelOptions {
  @Option(
      names = {"-m", "--model"},
      paramLabel = "DIR|ID",
      description = "Model folder (ONNX export), installed model id or catalog id.")
  Path model;

  @Option(
      names = {"-y", "--yes"},
      description = "Download the model without asking when it is not installed yet.")
  boolean yes;

  @Option(names = "--device", paramLabel = "DEV", description = "cpu (default) or cuda.")
  String device;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "CPU threads per operator (default: physical cores).")
  Integer threads;
}

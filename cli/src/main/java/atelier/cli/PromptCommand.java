package atelier.cli;

import atelier.model.ModelFolder;
import atelier.text.ClipTokenizer;
import atelier.text.CompiledPrompt;
import atelier.text.PromptCompiler;
import atelier.text.PromptInspection;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier prompt inspect}: how a prompt reaches the text encoder. */
@Command(
    name = "prompt",
    mixinStandardHelpOptions = true,
    description = "Work with prompts.",
    subcommands = {PromptCommand.Inspect.class})
final class PromptCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Shows tokens, ids (BOS/EOS included), weights, chunks and truncation of a prompt. */
  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = {
        "Show how a prompt is tokenised with a model's own tokenizer.",
        "Sub-prompts and their weights, 75-token chunks, every token with its id and emphasis,",
        "and what was truncated."
      })
  static final class Inspect implements Callable<Integer>, Terminal.JsonAware {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "PROMPT", description = "The prompt.")
    String prompt;

    @Option(
        names = {"-n", "--negative"},
        paramLabel = "TEXT",
        description = "Also inspect a negative prompt.")
    String negative;

    @Option(
        names = {"-m", "--model"},
        paramLabel = "DIR",
        description = "Model folder (its tokenizer/ is used).")
    Path model;

    @Option(
        names = "--max-chunks",
        paramLabel = "N",
        description =
            "Chunks the model accepts (1 for a UNet with a fixed 77-token axis; default: no limit).")
    Integer maxChunks;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public boolean json() {
      return json;
    }

    @Override
    public Integer call() throws Exception {
      Path dir = model != null ? model : Models.defaultModel(spec);
      ModelFolder folder = ModelFolder.open(dir);
      PromptCompiler compiler = new PromptCompiler(ClipTokenizer.load(folder.tokenizerDir()));
      int limit = maxChunks == null ? Integer.MAX_VALUE : maxChunks;
      if (limit < 1) {
        throw new atelier.BadRequestException("--max-chunks: expected 1 or more, found " + limit);
      }
      CompiledPrompt positive = compiler.compile(prompt, limit);
      CompiledPrompt neg = negative == null ? null : compiler.compileNegative(negative, limit);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.set("prompt", m.valueToTree(PromptInspection.of(positive)));
        if (neg != null) {
          root.set("negative", m.valueToTree(PromptInspection.of(neg)));
        }
        out.println(root.toString());
      } else {
        out.println(PromptInspection.of(positive).describe());
        if (neg != null) {
          out.println();
          out.println("Negative prompt:");
          out.println(PromptInspection.of(neg).describe());
        }
      }
      out.flush();
      return 0;
    }
  }
}

package atelier.cli;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.model.DownloadListener;
import atelier.model.Int8Variant;
import atelier.model.ModelKind;
import atelier.model.ModelManifest;
import atelier.model.SessionSettings;
import atelier.model.Sizes;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier models optimize ID --int8}: an int8 variant of an installed model. */
@Command(
    name = "optimize",
    mixinStandardHelpOptions = true,
    description = {
      "Write an optimised variant of an installed model as a new model (the original is kept).",
      "--int8: the UNet's MatMul weights as int8 (ONNX Runtime's DynamicQuantizeMatMul); other",
      "files are hard linked. Faster on some CPUs, slightly different pictures: see",
      "docs/benchmarks.md#int8."
    })
final class ModelsOptimizeCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "An installed model id.")
  String source;

  @Option(names = "--int8", description = "Quantise the UNet's MatMul weights to int8.")
  boolean int8;

  @Option(
      names = "--id",
      paramLabel = "NEW_ID",
      description = "The new model's id (default: ID-int8).")
  String id;

  @Option(names = "--replace", description = "Replace an installed model with the new id.")
  boolean replace;

  @Option(names = "--json", description = "Print the new manifest as JSON.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    if (!int8) {
      throw new BadRequestException("models optimize: expected a method (--int8), found none");
    }
    AtelierHome home = Home.of(spec);
    SessionSettings settings = Home.sessionSettings(home, null);
    DownloadListener bar =
        json
            ? DownloadListener.NONE
            : new DownloadBar(spec.commandLine().getErr(), System.console() != null);
    Int8Variant.Result r =
        Int8Variant.create(
            Home.store(home),
            source,
            id,
            replace,
            ModelsImportCommand.check(ModelKind.PIPELINE, settings),
            bar,
            CancelToken.NONE);
    ModelManifest m = r.manifest();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("manifest", m);
      doc.put("unet", r.report());
      out.println(ModelsCommand.JSON.valueToTree(doc));
    } else {
      out.println(
          "wrote "
              + m.id()
              + ", the int8 variant of "
              + source
              + ", into "
              + Home.store(home).folder(m.id()));
      out.printf(
          Locale.ROOT,
          "  unet: %d MatMul weights quantised to int8 (%s → %s), %d left in float32;"
              + " other files %s%n",
          r.report().quantized(),
          Sizes.human(r.report().weightBytesBefore()),
          Sizes.human(r.report().weightBytesAfter()),
          r.report().matMulsKept(),
          r.hardLinked() ? "hard-linked" : "copied (the file system cannot hard link)");
      out.println(
          "  use it: atelier generate \"…\" --model "
              + m.id()
              + " (pictures differ slightly from "
              + source
              + "'s)");
    }
    out.flush();
    return 0;
  }
}

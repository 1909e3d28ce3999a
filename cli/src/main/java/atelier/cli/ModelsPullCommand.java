package atelier.cli;

import atelier.AtelierHome;
import atelier.model.CatalogEntry;
import atelier.model.DownloadListener;
import atelier.model.ModelCatalog;
import atelier.model.ModelManifest;
import atelier.model.ModelPuller;
import atelier.model.Sizes;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier models pull [ID]}: download (or resume, or repair) a catalog model. */
@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    description = {
      "Download a catalog model into the store, checking sizes and SHA-256.",
      "Resumes an interrupted pull and re-fetches files that are missing or corrupt.",
      "Honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY, HF_ENDPOINT and HF_TOKEN."
    })
final class ModelsPullCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "ID",
      arity = "0..1",
      description = "A catalog model id (default: the default model).")
  String id;

  @Option(names = "--json", description = "Print the manifest as JSON; no progress bar.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    AtelierHome home = Home.of(spec);
    ModelCatalog catalog = Home.catalog(home);
    CatalogEntry entry = catalog.require(id != null ? id : ModelsCommand.defaultId(home, catalog));
    ModelPuller puller = Models.puller(spec);
    PrintWriter err = spec.commandLine().getErr();
    DownloadListener bar =
        json ? DownloadListener.NONE : new DownloadBar(err, System.console() != null);
    long t0 = System.nanoTime();
    ModelManifest m;
    // On Ctrl-C the partial file stays for the next pull to resume.
    try (CtrlC ctrlC = CtrlC.listen(5_000)) {
      m = puller.pull(entry, bar, ctrlC.token());
    }
    PrintWriter out = spec.commandLine().getOut();
    java.util.List<String> installed = UpscalerPackages.installPulled(home, entry);
    if (json) {
      var node = ModelsCommand.JSON.valueToTree(m);
      if (!installed.isEmpty()) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) node)
            .set("installed", ModelsCommand.JSON.valueToTree(installed));
      }
      out.println(node);
    } else {
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      out.println(
          "pulled "
              + m.id()
              + " ("
              + m.files().size()
              + " files, "
              + Sizes.human(m.totalSize())
              + ") into "
              + Home.store(home).folder(m.id())
              + " in "
              + ProgressBar.clock(took));
      if (!installed.isEmpty()) {
        out.println("converted to ONNX and installed: " + String.join(", ", installed));
      }
    }
    out.flush();
    return 0;
  }
}

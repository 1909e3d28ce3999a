package atelier.cli;

import atelier.AtelierHome;
import atelier.model.CatalogEntry;
import atelier.model.CatalogFile;
import atelier.model.DownloadSettings;
import atelier.model.ModelCatalog;
import atelier.model.ModelManifest;
import atelier.model.ModelStore;
import atelier.model.Sizes;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier models info ID}. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = "Everything known about a model: catalog facts and store state.")
final class ModelsInfoCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "A catalog or installed model id.")
  String id;

  @Option(names = "--json", description = "Print one JSON document.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    AtelierHome home = Home.of(spec);
    ModelCatalog catalog = Home.catalog(home);
    ModelStore store = Home.store(home);
    Optional<CatalogEntry> entry = catalog.find(id);
    Optional<ModelStore.StoredModel> stored = store.find(id);
    if (entry.isEmpty() && stored.isEmpty()) {
      catalog.require(id); // throws, listing the catalog's ids
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode root = ModelsCommand.JSON.createObjectNode();
      root.put("id", id);
      entry.ifPresent(e -> root.set("catalog", ModelsCommand.JSON.valueToTree(e)));
      stored.ifPresent(
          s -> {
            ObjectNode n = root.putObject("store");
            n.put("state", s.state().name().toLowerCase(Locale.ROOT));
            n.put("folder", s.folder().toString());
            if (s.problem() != null) {
              n.put("problem", s.problem());
            }
            if (s.manifest() != null) {
              n.set("manifest", ModelsCommand.JSON.valueToTree(s.manifest()));
            }
          });
      out.println(root);
      out.flush();
      return 0;
    }
    URI hub =
        DownloadSettings.fromEnvironment(System.getenv(), Home.config(home).endpoint()).endpoint();
    entry.ifPresent(e -> describe(out, e, catalog, hub));
    if (stored.isEmpty()) {
      out.println("store:       not installed (atelier models pull " + id + ")");
    } else {
      ModelStore.StoredModel s = stored.get();
      out.println(
          "store:       "
              + s.state().name().toLowerCase(Locale.ROOT)
              + (s.problem() != null ? " (" + s.problem() + ")" : "")
              + " at "
              + s.folder());
      if (s.manifest() != null) {
        ModelManifest m = s.manifest();
        ModelManifest.Origin o = m.origin();
        out.println(
            "origin:      "
                + (o.variant() != null
                    ? o.variant().method()
                        + " variant of "
                        + o.variant().source()
                        + ", made "
                        + o.variant().created()
                    : o.type().equals("import")
                        ? "imported from " + o.importedFrom()
                        : o.repo()
                            + " @ "
                            + o.revision()
                            + (o.commit() != null ? " (commit " + o.commit() + ")" : "")));
        out.println("updated:     " + m.updated() + " by atelier " + m.atelierVersion());
        for (ModelManifest.FileRecord f : m.files()) {
          out.printf(
              Locale.ROOT,
              "  %-36s %10s  sha256 %s  (%s)%n",
              f.path(),
              Sizes.human(f.size()),
              f.sha256().substring(0, 16) + "…",
              f.check());
        }
      }
    }
    out.flush();
    return 0;
  }

  private static void describe(PrintWriter out, CatalogEntry e, ModelCatalog catalog, URI hub) {
    out.println(
        "id:          "
            + e.id()
            + (e.id().equals(catalog.defaultId()) ? "  (catalog default)" : ""));
    out.println("name:        " + e.name());
    out.println(
        "kind:        "
            + e.kind().id()
            + ", family "
            + e.family()
            + (e.exporter() != null ? ", exporter " + e.exporter() : ""));
    out.println("device:      " + e.device() + " (" + e.precision() + ")");
    out.println("licence:     " + e.license());
    out.println("source:      " + e.source().page(hub) + " @ " + e.source().revision());
    CatalogEntry.Recommended r = e.recommended();
    out.println(
        "recommended: scheduler "
            + r.scheduler()
            + ", "
            + r.steps()
            + " steps, guidance "
            + r.guidance()
            + ", "
            + r.width()
            + "x"
            + r.height());
    out.println(
        "size:        "
            + Sizes.human(e.totalSize())
            + " in "
            + e.files().size()
            + " files; verified: "
            + e.verified());
    for (CatalogFile f : e.files()) {
      out.printf(
          Locale.ROOT,
          "  %-36s %10s%s  %s%n",
          f.path(),
          (f.size() == null ? "~" : "") + Sizes.human(f.sizeForDisplay()),
          "",
          f.sha256() != null
              ? "sha256 " + f.sha256().substring(0, 16) + "…"
              : "hash from the server");
    }
    if (e.notes() != null) {
      out.println("notes:       " + e.notes());
    }
  }
}

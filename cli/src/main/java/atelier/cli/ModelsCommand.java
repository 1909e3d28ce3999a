package atelier.cli;

import atelier.AtelierHome;
import atelier.CancelToken;
import atelier.model.CatalogEntry;
import atelier.model.DownloadListener;
import atelier.model.ModelCatalog;
import atelier.model.ModelStore;
import atelier.model.Sizes;
import atelier.model.VerifyReport;
import atelier.model.lora.LoraStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier models}: the catalog and the local store. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "List, pull, check, remove, import and optimize models.",
    subcommands = {
      ModelsCommand.ListCommand.class,
      ModelsPullCommand.class,
      ModelsInfoCommand.class,
      ModelsCommand.VerifyCommand.class,
      ModelsCommand.RemoveCommand.class,
      ModelsImportCommand.class,
      ModelsOptimizeCommand.class
    })
final class ModelsCommand implements Runnable {
  static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The default model's id: the configured one if it is an id, else the catalog's. */
  static String defaultId(AtelierHome home, ModelCatalog catalog) {
    String configured = Home.config(home).model();
    return configured != null ? configured : catalog.defaultId();
  }

  /** {@code atelier models list}. */
  @Command(
      name = "list",
      aliases = "ls",
      mixinStandardHelpOptions = true,
      description = "Catalog models and installed models, with their state.")
  static final class ListCommand implements Callable<Integer>, Terminal.JsonAware {
    @Spec CommandSpec spec;

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
      String def = defaultId(home, catalog);
      Map<String, Row> rows = new LinkedHashMap<>();
      for (CatalogEntry e : catalog.entries()) {
        rows.put(
            e.id(),
            new Row(e.id(), e.kind().id(), e.totalSize(), "not installed", null, e.name(), true));
      }
      for (ModelStore.StoredModel m : store.list()) {
        Row r = rows.get(m.id());
        String state = m.state().name().toLowerCase(Locale.ROOT);
        long size = m.manifest() != null ? m.manifest().totalSize() : r != null ? r.size : -1;
        String kind = m.manifest() != null ? m.manifest().kind().id() : r != null ? r.kind : "?";
        String name = r != null ? r.name : m.manifest() != null ? m.manifest().name() : m.id();
        rows.put(m.id(), new Row(m.id(), kind, size, state, m.problem(), name, r != null));
      }
      for (String lora : LoraStore.of(home).names()) {
        Path f = LoraStore.of(home).folder().resolve(lora + ".safetensors");
        rows.putIfAbsent(
            lora, new Row(lora, "lora", f.toFile().length(), "installed", null, lora, false));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectNode root = JSON.createObjectNode();
        root.put("default", def);
        root.put("store", store.root().toString());
        ArrayNode list = root.putArray("models");
        for (Row r : rows.values()) {
          ObjectNode n = list.addObject();
          n.put("id", r.id)
              .put("kind", r.kind)
              .put("name", r.name)
              .put("size", r.size)
              .put("state", r.state)
              .put("catalog", r.catalog)
              .put("default", r.id.equals(def));
          if (r.problem != null) {
            n.put("problem", r.problem);
          }
        }
        out.println(root);
      } else {
        out.printf(
            Locale.ROOT, "%-24s %-9s %9s  %-13s  %s%n", "ID", "KIND", "SIZE", "STATE", "NAME");
        for (Row r : rows.values()) {
          out.printf(
              Locale.ROOT,
              "%-24s %-9s %9s  %-13s  %s%n",
              r.id + (r.id.equals(def) ? " *" : ""),
              r.kind,
              r.size > 0 ? Sizes.human(r.size) : "?",
              r.state,
              r.name + (r.problem != null ? "  (" + r.problem + ")" : ""));
        }
        out.println("* default model; store: " + store.root());
      }
      out.flush();
      return 0;
    }

    private record Row(
        String id,
        String kind,
        long size,
        String state,
        String problem,
        String name,
        boolean catalog) {}
  }

  /** {@code atelier models verify ID}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Hash every file of an installed model and compare with its manifest (offline).",
        "Exit code 3 when a file is missing or corrupt; `models pull ID` repairs it."
      })
  static final class VerifyCommand implements Callable<Integer>, Terminal.JsonAware {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "An installed model id.")
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
      PrintWriter out = spec.commandLine().getOut();
      DownloadListener bar =
          json || System.console() == null
              ? DownloadListener.NONE
              : new DownloadBar(spec.commandLine().getErr(), true);
      VerifyReport report = Home.store(home).verify(id, bar, CancelToken.NONE);
      if (json) {
        ObjectNode root = JSON.valueToTree(report);
        root.put("ok", report.ok());
        out.println(root);
      } else {
        for (VerifyReport.FileCheck f : report.files()) {
          out.println((f.status() == VerifyReport.Status.OK ? "ok    " : "FAIL  ") + f.describe());
        }
        out.println(
            report.ok()
                ? id + ": all " + report.files().size() + " files verified"
                : id
                    + ": "
                    + report.failures().size()
                    + " of "
                    + report.files().size()
                    + " files failed; "
                    + Home.store(home)
                        .manifest(id)
                        .map(m -> m.repair())
                        .orElse("repair with: atelier models pull " + id));
      }
      out.flush();
      return report.ok() ? 0 : atelier.AtelierException.Kind.MODEL_LOAD.exitCode();
    }
  }

  /** {@code atelier models remove ID}. */
  @Command(
      name = "remove",
      aliases = "rm",
      mixinStandardHelpOptions = true,
      description = "Delete an installed model's folder.")
  static final class RemoveCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "An installed model id.")
    String id;

    @Override
    public Integer call() {
      ModelStore store = Home.store(Home.of(spec));
      long size =
          store.find(id).map(m -> m.manifest() == null ? -1 : m.manifest().totalSize()).orElse(-1L);
      store.remove(id);
      spec.commandLine()
          .getOut()
          .println("removed " + id + (size >= 0 ? " (" + Sizes.human(size) + " freed)" : ""));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}

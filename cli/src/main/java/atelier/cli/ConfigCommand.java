package atelier.cli;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.model.CatalogEntry;
import atelier.model.DownloadSettings;
import atelier.model.ModelCatalog;
import atelier.model.ModelStore;
import atelier.model.UserConfig;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier config}: show and change the defaults kept in the data folder. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = {
      "Show the data folder and the defaults (no arguments), or get, set or unset one.",
      "Examples:",
      "  atelier config set model sd15-onnx",
      "  atelier config set device cuda",
      "  atelier config set output ~/Pictures/atelier",
      "  atelier config set endpoint https://hf-mirror.example",
      "  atelier config unset model"
    })
final class ConfigCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "ACTION",
      description = "get, set or unset (none: show everything).")
  String action;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "KEY",
      description = "model, device, " + "output or endpoint.")
  String key;

  @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE", description = "The new value.")
  String value;

  @Option(names = "--json", description = "Print one JSON document.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    AtelierHome home = Home.of(spec);
    UserConfig config = Home.config(home);
    PrintWriter out = spec.commandLine().getOut();
    String a = action == null ? "show" : action.toLowerCase(Locale.ROOT);
    switch (a) {
      case "show" -> show(out, home, config);
      case "get" -> {
        UserConfig.Key k = UserConfig.Key.lookup(required(key, "KEY"));
        String v = effective(home, config, k);
        out.println(json ? ModelsCommand.JSON.createObjectNode().put(k.id(), v) : v);
      }
      case "set" -> {
        UserConfig.Key k = UserConfig.Key.lookup(required(key, "KEY"));
        String v = normalise(home, k, required(value, "VALUE"));
        config.with(k, v).write(home.configFile());
        out.println(
            json ? ModelsCommand.JSON.createObjectNode().put(k.id(), v) : k.id() + " = " + v);
      }
      case "unset" -> {
        UserConfig.Key k = UserConfig.Key.lookup(required(key, "KEY"));
        config.with(k, null).write(home.configFile());
        String v = effective(home, UserConfig.read(home.configFile()), k);
        out.println(
            json
                ? ModelsCommand.JSON.createObjectNode().put(k.id(), v)
                : k.id() + " unset (now " + v + ")");
      }
      default ->
          throw new BadRequestException(
              "config: expected get, set or unset, found '" + action + "'");
    }
    out.flush();
    return 0;
  }

  private void show(PrintWriter out, AtelierHome home, UserConfig config) {
    if (json) {
      ObjectNode root = ModelsCommand.JSON.createObjectNode();
      root.put("home", home.root().toString());
      root.put("config", home.configFile().toString());
      root.put("models", home.models().toString());
      root.put("cache", home.cache().toString());
      ObjectNode values = root.putObject("values");
      ObjectNode set = root.putObject("set");
      for (UserConfig.Key k : UserConfig.Key.values()) {
        values.put(k.id(), effective(home, config, k));
        set.put(k.id(), config.get(k) != null);
      }
      out.println(root);
      return;
    }
    out.printf("%-9s %s%n", "home", home.root());
    out.printf("%-9s %s%n", "config", home.configFile());
    out.printf("%-9s %s%n", "models", home.models());
    out.printf("%-9s %s%n", "cache", home.cache());
    for (UserConfig.Key k : UserConfig.Key.values()) {
      out.printf(
          "%-9s %s%s%n",
          k.id(), effective(home, config, k), config.get(k) != null ? "" : "   (default)");
    }
  }

  /** The value in force: the configured one, else the built-in default. */
  static String effective(AtelierHome home, UserConfig config, UserConfig.Key k) {
    String v = config.get(k);
    if (v != null) {
      return v;
    }
    return switch (k) {
      case MODEL -> ModelCatalog.load(home).defaultId();
      case DEVICE -> "cpu";
      case OUTPUT -> "./" + Output.DEFAULT_FOLDER;
      case ENDPOINT ->
          DownloadSettings.fromEnvironment(System.getenv(), null).endpoint().toString();
    };
  }

  /** Checks a value before it is stored; folders are stored as absolute paths. */
  static String normalise(AtelierHome home, UserConfig.Key k, String v) {
    switch (k) {
      case MODEL -> {
        Path p = Path.of(v);
        if (Files.isDirectory(p)) {
          return p.toAbsolutePath().normalize().toString();
        }
        ModelCatalog catalog = ModelCatalog.load(home);
        ModelStore store = ModelStore.of(home);
        boolean installed = CatalogEntry.ID.matcher(v).matches() && store.find(v).isPresent();
        if (catalog.find(v).isEmpty() && !installed) {
          throw new BadRequestException(
              "model: expected a catalog id ("
                  + String.join(", ", catalog.entries().stream().map(CatalogEntry::id).toList())
                  + "), an installed model id or a model folder, found '"
                  + v
                  + "'");
        }
        return v;
      }
      case OUTPUT -> {
        Path p = Path.of(v);
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".png")
            || (Files.exists(p) && !Files.isDirectory(p))) {
          throw new BadRequestException(
              "config output: expected a folder (every run adds numbered images to it), found "
                  + (Files.exists(p) && !Files.isDirectory(p) ? "the file " : "the file name ")
                  + v
                  + "; use --out FILE.png for one exact file");
        }
        atelier.OutputTarget.checkFolder(p, p);
        return p.toAbsolutePath().normalize().toString();
      }
      default -> {
        return UserConfig.empty().with(k, v).get(k);
      }
    }
  }

  private static String required(String v, String what) {
    if (v == null) {
      throw new BadRequestException("config: expected " + what + ", found none");
    }
    return v;
  }
}

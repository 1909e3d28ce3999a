package atelier.cli;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ModelLoadException;
import atelier.model.CatalogEntry;
import atelier.model.DownloadSettings;
import atelier.model.HttpDownloader;
import atelier.model.ModelCatalog;
import atelier.model.ModelHasher;
import atelier.model.ModelPuller;
import atelier.model.ModelStore;
import atelier.model.Sizes;
import atelier.model.UserConfig;
import atelier.pipeline.ModelRef;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Which model folder a command uses: {@code --model} (a folder, an installed id or a catalog id),
 * else the model recorded in a {@code --from} image, else {@code $ATELIER_MODEL}, else the
 * configured default ({@code atelier config set model}), else the catalog's default. A catalog
 * model that is not installed (or is damaged) is pulled first, after asking on a terminal or at
 * once with {@code --yes}.
 */
final class Models {
  private Models() {}

  /**
   * The default model for commands that only read files already on disk and never download (e.g.
   * {@code prompt inspect}): {@code $ATELIER_MODEL}, else the configured or catalog default when it
   * is installed.
   */
  static Path defaultModel(CommandSpec spec) {
    String env = System.getenv("ATELIER_MODEL");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    AtelierHome home = Home.of(spec);
    String configured = Home.config(home).model();
    String id = configured != null ? configured : Home.catalog(home).defaultId();
    if (Files.isDirectory(Path.of(id))) {
      return Path.of(id);
    }
    Optional<ModelStore.StoredModel> stored = safeFind(Home.store(home), id);
    if (stored.isPresent() && stored.get().state() == ModelStore.State.READY) {
      return stored.get().folder();
    }
    throw new BadRequestException(
        "model: expected --model DIR, the ATELIER_MODEL environment variable, or an installed"
            + " default model; found the default "
            + id
            + " not installed (run: atelier models pull "
            + id
            + ")");
  }

  /** The model folder for {@code generate}. */
  static Path resolve(CommandSpec spec, Path option, ModelRef recorded, boolean yes, boolean json) {
    AtelierHome home = Home.of(spec);
    if (option != null) {
      return resolveReference(spec, home, option.toString(), yes, json);
    }
    if (recorded != null) {
      Path p = Path.of(recorded.path());
      if (Files.isDirectory(p)) {
        return p;
      }
      Optional<ModelStore.StoredModel> stored = safeFind(Home.store(home), recorded.id());
      return stored.isPresent() ? resolveReference(spec, home, recorded.id(), yes, json) : p;
    }
    String env = System.getenv("ATELIER_MODEL");
    if (env != null && !env.isBlank()) {
      return resolveReference(spec, home, env, yes, json);
    }
    String configured = Home.config(home).model();
    if (configured != null) {
      return resolveReference(spec, home, configured, yes, json);
    }
    ModelCatalog catalog = Home.catalog(home);
    return ensure(spec, home, catalog.require(catalog.defaultId()), yes, json);
  }

  /** A folder path, an installed id, or a catalog id (pulled when missing). */
  static Path resolveReference(
      CommandSpec spec, AtelierHome home, String ref, boolean yes, boolean json) {
    Path asPath = Path.of(ref);
    if (Files.isDirectory(asPath) || looksLikePath(ref)) {
      // A path that does not exist fails at load with the folder-layout message.
      return asPath;
    }
    ModelStore store = Home.store(home);
    ModelCatalog catalog = Home.catalog(home);
    Optional<CatalogEntry> entry = catalog.find(ref);
    if (entry.isPresent()) {
      return ensure(spec, home, entry.get(), yes, json);
    }
    if (safeFind(store, ref).isPresent()) {
      return store.requireReady(ref);
    }
    throw new BadRequestException(
        "model: expected a model folder, an installed model id or a catalog id (catalog: "
            + String.join(", ", catalog.entries().stream().map(CatalogEntry::id).toList())
            + "; installed: "
            + (store.list().isEmpty()
                ? "none"
                : String.join(", ", store.list().stream().map(ModelStore.StoredModel::id).toList()))
            + "), found '"
            + ref
            + "'");
  }

  /** The folder of a catalog model, pulling (or repairing) it first when it is not ready. */
  static Path ensure(
      CommandSpec spec, AtelierHome home, CatalogEntry entry, boolean yes, boolean json) {
    ModelStore store = Home.store(home);
    Optional<ModelStore.StoredModel> stored = store.find(entry.id());
    if (stored.isPresent() && stored.get().state() == ModelStore.State.READY) {
      return stored.get().folder();
    }
    PrintWriter err = spec.commandLine().getErr();
    String why =
        stored.isEmpty() ? "is not installed" : "cannot be used (" + stored.get().problem() + ")";
    UserConfig config = Home.config(home);
    ModelPuller puller = puller(home, config);
    String host = puller.urls(entry).get(0).getHost();
    if (!yes) {
      Console console = System.console();
      if (console == null || json) {
        throw new ModelLoadException(
            "model "
                + entry.id()
                + " "
                + why
                + "; download it from "
                + host
                + " ("
                + size(entry)
                + ") with: atelier models pull "
                + entry.id()
                + ", or pass --yes to download it now");
      }
      err.printf(
          Locale.ROOT,
          "Model %s (%s, %s, licence: %s) %s.%nDownload it from %s now? [y/N] ",
          entry.id(),
          entry.name(),
          size(entry),
          entry.license(),
          why,
          host);
      err.flush();
      String answer = console.readLine();
      if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).startsWith("y")) {
        throw new ModelLoadException(
            "model "
                + entry.id()
                + " "
                + why
                + "; not downloaded (run: atelier models pull "
                + entry.id()
                + ")");
      }
    }
    if (!json) {
      err.println(
          "atelier: pulling "
              + entry.id()
              + " ("
              + size(entry)
              + ") from "
              + host
              + " into "
              + store.folder(entry.id()));
      err.flush();
    }
    puller.pull(
        entry,
        json ? atelier.model.DownloadListener.NONE : new DownloadBar(err, System.console() != null),
        CancelToken.NONE);
    return store.requireReady(entry.id());
  }

  private static boolean looksLikePath(String ref) {
    return ref.contains("/")
        || ref.contains(java.io.File.separator)
        || ref.startsWith(".")
        || ref.startsWith("~");
  }

  private static String size(CatalogEntry e) {
    return e.totalSize() > 0 ? Sizes.human(e.totalSize()) : "size not listed";
  }

  /** A puller for the store of {@code home}, with settings from the environment and config. */
  static ModelPuller puller(AtelierHome home, UserConfig config) {
    DownloadSettings settings =
        DownloadSettings.fromEnvironment(System.getenv(), config.endpoint());
    return new ModelPuller(
        ModelStore.of(home), new HttpDownloader(settings), new ModelHasher(home.cache()));
  }

  private static Optional<ModelStore.StoredModel> safeFind(ModelStore store, String id) {
    if (id == null || !CatalogEntry.ID.matcher(id).matches()) {
      return Optional.empty();
    }
    return store.find(id);
  }
}

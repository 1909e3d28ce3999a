package atelier.jobs;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ModelLoadException;
import atelier.model.CatalogEntry;
import atelier.model.DownloadListener;
import atelier.model.DownloadSettings;
import atelier.model.HttpDownloader;
import atelier.model.ModelCatalog;
import atelier.model.ModelHasher;
import atelier.model.ModelPuller;
import atelier.model.ModelStore;
import atelier.model.Sizes;
import atelier.model.UserConfig;
import atelier.pipeline.ModelRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Which model folder a job uses: the spec's model (a folder, an installed id or a catalog id), else
 * the model recorded in the image being re-made, else {@code $ATELIER_MODEL}, else the configured
 * default ({@code atelier config set model}), else the catalog's default. A catalog model that is
 * not installed (or is damaged) is pulled first when {@link Downloads} allow it.
 *
 * <p>Reads the data folder on each call; thread-safe as far as the model store is (pulls take the
 * store's lock).
 */
public final class ModelResolver {
  private final AtelierHome home;
  private final Map<String, String> env;
  private final Downloads downloads;

  /**
   * Whether and how missing catalog models are downloaded.
   *
   * @param yes download without asking
   * @param consent asks a person (a terminal prompt) when {@code yes} is false, or null when nobody
   *     can be asked (the job then fails with how to download the model)
   * @param listener download progress
   * @param notice receives one line before a download starts ("pulling … from … into …")
   */
  public record Downloads(
      boolean yes, Consent consent, DownloadListener listener, Consumer<String> notice) {
    public Downloads {
      listener = listener == null ? DownloadListener.NONE : listener;
      notice = notice == null ? s -> {} : notice;
    }

    /** Never downloads without {@code yes}; nobody to ask, no progress. */
    public static Downloads of(boolean yes) {
      return new Downloads(yes, null, null, null);
    }
  }

  /** Asks whether to download a catalog model now. */
  @FunctionalInterface
  public interface Consent {
    /**
     * @param why "is not installed" or "cannot be used (…)"
     * @param host where it would come from
     * @return true to download
     */
    boolean ask(CatalogEntry entry, String why, String host);
  }

  /**
   * A resolver over {@code home}.
   *
   * @param env the environment ({@code ATELIER_MODEL}, proxies, {@code HF_TOKEN}; {@code
   *     System.getenv()} in production)
   */
  public ModelResolver(AtelierHome home, Map<String, String> env, Downloads downloads) {
    this.home = home;
    this.env = Map.copyOf(env);
    this.downloads = downloads;
  }

  /**
   * The model folder for a job.
   *
   * @param ref the spec's model, or null
   * @param recorded the model recorded in an image being made again, or null
   */
  public Path resolve(String ref, ModelRef recorded) {
    if (ref != null) {
      return resolveReference(ref);
    }
    if (recorded != null) {
      Path p = Path.of(recorded.path());
      if (Files.isDirectory(p)) {
        return p;
      }
      Optional<ModelStore.StoredModel> stored = safeFind(ModelStore.of(home), recorded.id());
      return stored.isPresent() ? resolveReference(recorded.id()) : p;
    }
    String fromEnv = env.get("ATELIER_MODEL");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return resolveReference(fromEnv);
    }
    String configured = config().model();
    if (configured != null) {
      return resolveReference(configured);
    }
    ModelCatalog catalog = ModelCatalog.load(home);
    return ensure(catalog.require(catalog.defaultId()));
  }

  /**
   * The default model for work that only reads files already on disk and never downloads (e.g.
   * {@code prompt inspect}): {@code $ATELIER_MODEL}, else the configured or catalog default when it
   * is installed.
   */
  public Path installedDefault() {
    String fromEnv = env.get("ATELIER_MODEL");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    String configured = config().model();
    String id = configured != null ? configured : ModelCatalog.load(home).defaultId();
    if (Files.isDirectory(Path.of(id))) {
      return Path.of(id);
    }
    Optional<ModelStore.StoredModel> stored = safeFind(ModelStore.of(home), id);
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

  /** A folder path, an installed id, or a catalog id (pulled when missing). */
  public Path resolveReference(String ref) {
    Path asPath = Path.of(ref);
    if (Files.isDirectory(asPath) || looksLikePath(ref)) {
      // A path that does not exist fails at load with the folder-layout message.
      return asPath;
    }
    ModelStore store = ModelStore.of(home);
    ModelCatalog catalog = ModelCatalog.load(home);
    Optional<CatalogEntry> entry = catalog.find(ref);
    if (entry.isPresent()) {
      return ensure(entry.get());
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
  public Path ensure(CatalogEntry entry) {
    ModelStore store = ModelStore.of(home);
    Optional<ModelStore.StoredModel> stored = store.find(entry.id());
    if (stored.isPresent() && stored.get().state() == ModelStore.State.READY) {
      return stored.get().folder();
    }
    String why =
        stored.isEmpty() ? "is not installed" : "cannot be used (" + stored.get().problem() + ")";
    ModelPuller puller = puller();
    String host = puller.urls(entry).get(0).getHost();
    if (!downloads.yes()) {
      if (downloads.consent() == null) {
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
      if (!downloads.consent().ask(entry, why, host)) {
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
    downloads
        .notice()
        .accept(
            "pulling "
                + entry.id()
                + " ("
                + size(entry)
                + ") from "
                + host
                + " into "
                + store.folder(entry.id()));
    puller.pull(entry, downloads.listener(), CancelToken.NONE);
    return store.requireReady(entry.id());
  }

  /** A puller for the store, with settings from the environment and the configuration. */
  public ModelPuller puller() {
    DownloadSettings settings = DownloadSettings.fromEnvironment(env, config().endpoint());
    ModelStore store = ModelStore.of(home);
    return new ModelPuller(
        store,
        new HttpDownloader(settings),
        new ModelHasher(home.cache()),
        (file, entry, origin, sha, listener, cancel) ->
            atelier.model.checkpoint.CheckpointImport.pulled(
                store,
                file,
                entry,
                origin,
                sha,
                d ->
                    atelier.pipeline.StableDiffusion.load(d, atelier.model.SessionSettings.CPU)
                        .close(),
                listener,
                cancel));
  }

  /** The size of a catalog entry for people ("4.3 GB", or "size not listed"). */
  public static String size(CatalogEntry e) {
    return e.totalSize() > 0 ? Sizes.human(e.totalSize()) : "size not listed";
  }

  private UserConfig config() {
    return UserConfig.read(home.configFile());
  }

  private static boolean looksLikePath(String ref) {
    return ref.contains("/")
        || ref.contains(java.io.File.separator)
        || ref.startsWith(".")
        || ref.startsWith("~");
  }

  private static Optional<ModelStore.StoredModel> safeFind(ModelStore store, String id) {
    if (id == null || !CatalogEntry.ID.matcher(id).matches()) {
      return Optional.empty();
    }
    return store.find(id);
  }
}

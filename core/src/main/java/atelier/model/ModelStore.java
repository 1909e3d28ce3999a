package atelier.model;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ModelLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The local model store: {@code models/<id>/} under the data folder, each model in its exporter's
 * own layout with a hidden manifest ({@link ModelManifest}) beside the files. Reading is lock-free;
 * changes (pull, import, verify, remove) hold the model's {@link StoreLock}. Thread-safe.
 */
public final class ModelStore {
  private final Path root;

  /** A store in {@code root} (created on the first write). */
  public ModelStore(Path root) {
    this.root = root;
  }

  /** The store of a data folder: its {@code models/}. */
  public static ModelStore of(AtelierHome home) {
    return new ModelStore(home.models());
  }

  public Path root() {
    return root;
  }

  /** Whether a stored model can be used. */
  public enum State {
    /** Every file is present with its recorded size. */
    READY,
    /** A pull has not finished (or was interrupted): run it again. */
    INCOMPLETE,
    /** Files are missing, of the wrong size, or failed a verify: pull again to repair. */
    DAMAGED
  }

  /**
   * A model folder in the store and what a quick check (presence and sizes) says about it.
   *
   * @param manifest its manifest, or null when there is none or it is unreadable
   * @param problem why it is not ready, or null
   */
  public record StoredModel(
      String id, Path folder, ModelManifest manifest, State state, String problem) {}

  /**
   * The folder of a model id.
   *
   * @throws BadRequestException when the id is not a valid model id
   */
  public Path folder(String id) {
    try {
      CatalogEntry.checkId(id);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException(e.getMessage(), e);
    }
    return root.resolve(id);
  }

  /** Takes a model's lock; {@code onWait} runs first if someone else holds it. */
  public StoreLock lock(String id, Runnable onWait) {
    folder(id);
    return StoreLock.acquire(root.resolve("." + id + ".lock"), onWait);
  }

  private static final java.util.regex.Pattern STAGING =
      java.util.regex.Pattern.compile("\\.(.+)\\.(?:import|old)-\\d+");

  /**
   * Deletes the staging folders ({@code .ID.import-N}, {@code .ID.old-N}) that imports killed
   * part-way left behind. A staging folder only exists while its import holds the model's lock, so
   * one whose lock nobody holds (its process is gone) is stale; one whose lock is held belongs to a
   * live import and is left alone.
   *
   * @return the folders deleted
   */
  public List<Path> cleanStaging() {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return removed;
    }
    List<Path> entries;
    try (Stream<Path> s = Files.list(root)) {
      entries = s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      return removed; // cleaning is a courtesy; the command's own work reports real problems
    }
    for (Path p : entries) {
      java.util.regex.Matcher m = STAGING.matcher(p.getFileName().toString());
      if (!m.matches() || !CatalogEntry.ID.matcher(m.group(1)).matches()) {
        continue;
      }
      try (StoreLock lock = StoreLock.tryAcquire(root.resolve("." + m.group(1) + ".lock"))) {
        if (lock != null && Files.isDirectory(p)) {
          deleteTree(p);
          removed.add(p);
        }
      } catch (UncheckedIOException e) {
        // Left for the next command; never fail the user's command over a leftover.
      }
    }
    return removed;
  }

  /** The manifest of an installed model, if it has a readable one. */
  public Optional<ModelManifest> manifest(String id) {
    Path dir = folder(id);
    if (!Files.isRegularFile(dir.resolve(ModelManifest.FILE_NAME))) {
      return Optional.empty();
    }
    try {
      return Optional.of(ModelManifest.read(dir));
    } catch (ModelLoadException e) {
      return Optional.empty();
    }
  }

  /** The model with this id, if its folder exists. */
  public Optional<StoredModel> find(String id) {
    Path dir = folder(id);
    return Files.isDirectory(dir) ? Optional.of(status(id, dir)) : Optional.empty();
  }

  /** Every model folder in the store, by id. */
  public List<StoredModel> list() {
    List<StoredModel> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.sorted().toList()) {
        String name = p.getFileName().toString();
        if (Files.isDirectory(p) && CatalogEntry.ID.matcher(name).matches()) {
          out.add(status(name, p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing the model store " + root + " failed", e);
    }
    return out;
  }

  /**
   * The folder of a ready model.
   *
   * @throws ModelLoadException saying why it cannot be used and how to repair it
   */
  public Path requireReady(String id) {
    StoredModel m =
        find(id)
            .orElseThrow(
                () ->
                    new ModelLoadException(
                        "model "
                            + id
                            + " is not installed in "
                            + root
                            + "; run: atelier models"
                            + " pull "
                            + id));
    if (m.state() != State.READY) {
      throw new ModelLoadException(
          "model "
              + id
              + " cannot be used: "
              + m.problem()
              + (m.manifest() != null
                      && (m.manifest().importedFrom() != null
                          || m.manifest().origin().variant() != null)
                  ? "; " + m.manifest().repair()
                  : "; run: atelier models pull "
                      + id
                      + " (it repairs what is missing or corrupt)"));
    }
    return m.folder();
  }

  private StoredModel status(String id, Path dir) {
    if (!Files.isRegularFile(dir.resolve(ModelManifest.FILE_NAME))) {
      return new StoredModel(
          id,
          dir,
          null,
          State.INCOMPLETE,
          "no store manifest (an interrupted pull, or a folder placed by hand: import it)");
    }
    ModelManifest m;
    try {
      m = ModelManifest.read(dir);
    } catch (ModelLoadException e) {
      return new StoredModel(id, dir, null, State.DAMAGED, e.getMessage());
    }
    if (!m.complete()) {
      return new StoredModel(
          id,
          dir,
          m,
          State.INCOMPLETE,
          m.problem() != null ? m.problem() : "the pull has not finished");
    }
    if (m.problem() != null) {
      return new StoredModel(id, dir, m, State.DAMAGED, m.problem());
    }
    for (ModelManifest.FileRecord f : m.files()) {
      Path p = dir.resolve(f.path());
      long size = p.toFile().length();
      if (!Files.isRegularFile(p)) {
        return new StoredModel(id, dir, m, State.DAMAGED, f.path() + " is missing");
      }
      if (size != f.size()) {
        return new StoredModel(
            id, dir, m, State.DAMAGED, f.path() + " has " + size + " bytes, expected " + f.size());
      }
    }
    return new StoredModel(id, dir, m, State.READY, null);
  }

  /**
   * Hashes every file of an installed model and compares it with the manifest. Failures are written
   * into the manifest, so the model is not used until a pull repairs it.
   *
   * @throws ModelLoadException when the model has no manifest
   */
  public VerifyReport verify(String id, DownloadListener listener, CancelToken cancel) {
    return ModelVerify.verify(this, id, listener, cancel);
  }

  /**
   * Deletes an installed model's folder.
   *
   * @throws BadRequestException when there is no such model
   */
  public void remove(String id) {
    cleanStaging();
    try (StoreLock lock = lock(id, () -> {})) {
      Path dir = folder(id);
      if (!Files.isDirectory(dir)) {
        throw new BadRequestException(
            "model " + id + ": expected an installed model, found none in " + root);
      }
      deleteTree(dir);
    }
  }

  /**
   * Copies a model folder the user already has into the store (hard links where the file system
   * allows, so no space is used twice), after {@code check} has validated it.
   *
   * @param id the store id, or null to derive one from the folder name
   * @param check validates the folder, throwing a {@code ModelLoadException} when it is unusable
   * @param replace whether an installed model with the same id may be replaced
   */
  public ModelManifest importFolder(
      Path source,
      String id,
      ModelKind kind,
      Consumer<Path> check,
      boolean replace,
      DownloadListener listener,
      CancelToken cancel) {
    return ModelImport.run(this, source, id, kind, check, replace, null, listener, cancel);
  }

  /**
   * {@link #importFolder(Path, String, ModelKind, Consumer, boolean, DownloadListener,
   * CancelToken)} of a folder converted from {@code recordedSource} (a package), which the manifest
   * records as the source to re-import from.
   */
  public ModelManifest importConverted(
      Path source,
      Path recordedSource,
      String id,
      ModelKind kind,
      Consumer<Path> check,
      boolean replace,
      DownloadListener listener,
      CancelToken cancel) {
    return ModelImport.run(
        this, source, id, kind, check, replace, recordedSource, listener, cancel);
  }

  /** Writes a converted model's files into a staging folder, returning a record of each. */
  @FunctionalInterface
  public interface StagingWriter {
    List<ModelManifest.FileRecord> write(Path staging) throws IOException;
  }

  /**
   * Installs a model that {@code writer} produces (a conversion): it writes into a hidden staging
   * folder of the store under the model's lock, {@code check} validates the result, the manifest is
   * written, and the folder is moved into place. On any failure (a full disk included) the staging
   * folder is removed and nothing is registered.
   *
   * @param replace whether an installed model with the same id may be replaced
   * @throws BadRequestException when the id is taken and {@code replace} is false
   * @throws ModelLoadException when writing fails
   */
  public ModelManifest installConverted(
      String id,
      ModelKind kind,
      String name,
      ModelManifest.Origin origin,
      boolean replace,
      StagingWriter writer,
      Consumer<Path> check) {
    return ModelImport.install(this, id, kind, name, origin, replace, writer, check);
  }

  /** A store id from a folder or file name: lower case, other characters turned into dashes. */
  public static String idFor(Path source) {
    Path name = source.toAbsolutePath().normalize().getFileName();
    String s =
        (name == null ? "model" : name.toString())
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9._-]+", "-")
            .replaceAll("^[^a-z0-9]+", "");
    s = s.length() > 64 ? s.substring(0, 64) : s;
    return s.isEmpty() ? "model" : s;
  }

  static String hash(Path p, java.util.function.LongConsumer progress, CancelToken cancel) {
    try {
      return Digests.sha256(p, progress, cancel);
    } catch (IOException e) {
      throw new UncheckedIOException("hashing " + p + " failed: " + e.getMessage(), e);
    }
  }

  static Long mtime(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return null;
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + dir + " failed: " + e.getMessage(), e);
    }
  }
}

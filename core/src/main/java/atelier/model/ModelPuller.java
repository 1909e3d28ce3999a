package atelier.model;

import atelier.CancelToken;
import atelier.ModelLoadException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Brings a catalog entry into the store: under the model's lock, keeps every file already present
 * and checked, fetches (or resumes) the rest, and records each one in the manifest as it lands, so
 * the model counts as installed only when all are there. A second pull repairs what a verify found
 * corrupt. Thread-safe; concurrent pulls of one model wait for each other and the second finds the
 * work done.
 */
public final class ModelPuller {
  private final ModelStore store;
  private final HttpDownloader downloader;
  private final ModelHasher hasher;
  private final CheckpointConversion conversion;

  /**
   * Converts a downloaded single-file checkpoint into an installed model (done by {@code
   * atelier.model.checkpoint.CheckpointImport}, which this package does not depend on).
   */
  @FunctionalInterface
  public interface CheckpointConversion {
    /**
     * Converts and installs {@code file} as {@code entry.id()}, replacing what is there.
     *
     * @param origin where the file came from; the conversion adds its own record
     * @param sha256 the file's SHA-256, known from the download
     */
    ModelManifest convert(
        Path file,
        CatalogEntry entry,
        ModelManifest.Origin origin,
        String sha256,
        DownloadListener listener,
        CancelToken cancel);
  }

  /**
   * A puller that cannot convert checkpoint entries.
   *
   * @param hasher a hasher whose cache learns each fetched file's SHA-256 (so the first generation
   *     need not hash gigabytes again), or null
   */
  public ModelPuller(ModelStore store, HttpDownloader downloader, ModelHasher hasher) {
    this(store, downloader, hasher, null);
  }

  /**
   * @param hasher as above, or null
   * @param conversion converts catalog entries that are single-file checkpoints, or null
   */
  public ModelPuller(
      ModelStore store,
      HttpDownloader downloader,
      ModelHasher hasher,
      CheckpointConversion conversion) {
    this.store = store;
    this.downloader = downloader;
    this.hasher = hasher;
    this.conversion = conversion;
  }

  /** Where each file of an entry is fetched from, in catalog order. */
  public List<URI> urls(CatalogEntry entry) {
    List<URI> out = new ArrayList<>();
    for (CatalogFile f : entry.files()) {
      out.add(entry.url(downloader.settings().endpoint(), f));
    }
    return out;
  }

  /**
   * Pulls an entry, returning its complete manifest.
   *
   * @throws ModelLoadException when a file cannot be fetched or is corrupt; when the hub cannot be
   *     reached at all, the message names the files needed and the import alternative
   */
  public ModelManifest pull(CatalogEntry entry, DownloadListener listener, CancelToken cancel) {
    if (entry.isCheckpoint()) {
      return pullCheckpoint(entry, listener, cancel);
    }
    store.cleanStaging();
    String id = entry.id();
    PullSession s = new PullSession(entry, listener);
    try (StoreLock lock =
        store.lock(
            id,
            () ->
                listener.onProgress(s.progress(DownloadProgress.Phase.WAITING, null, 0, 0, -1)))) {
      Path dir = store.folder(id);
      ModelManifest old = store.manifest(id).orElse(null);
      Map<String, ModelManifest.FileRecord> known = old == null ? Map.of() : old.byPath();
      ModelManifest.Origin origin =
          ModelManifest.Origin.hub(entry, null, downloader.settings().endpoint().toString());
      List<ModelManifest.FileRecord> done = new ArrayList<>();
      List<CatalogFile> todo = new ArrayList<>();
      for (int i = 0; i < entry.files().size(); i++) {
        CatalogFile f = entry.files().get(i);
        ModelManifest.FileRecord present = present(dir, f, known.get(f.path()), s, i, cancel);
        if (present != null) {
          done.add(present);
          s.finished(i, present.size(), false);
        } else {
          todo.add(f);
        }
      }
      String unfinished = "the pull has not finished";
      ModelManifest.of(
              id,
              entry.kind(),
              entry.name(),
              origin,
              done,
              todo.isEmpty(),
              todo.isEmpty() ? null : unfinished)
          .write(dir);
      checkSpace(dir, todo);
      String commit = old != null ? old.origin().commit() : null;
      for (CatalogFile f : todo) {
        int index = entry.files().indexOf(f);
        Path target = dir.resolve(f.path());
        HttpDownloader.Fetched got =
            downloader.fetch(
                entry.url(downloader.settings().endpoint(), f),
                target,
                f.size(),
                f.sha256(),
                (present, total) -> s.downloading(f, index, present, total),
                cancel);
        commit = got.commit() != null ? got.commit() : commit;
        done.add(
            new ModelManifest.FileRecord(
                f.path(),
                got.size(),
                got.sha256(),
                got.check().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                ModelStore.mtime(target)));
        s.finished(index, got.size(), true);
        if (hasher != null) {
          hasher.remember(target, got.sha256());
        }
        ModelManifest.of(
                id,
                entry.kind(),
                entry.name(),
                ModelManifest.Origin.hub(entry, commit, origin.endpoint()),
                ordered(entry, done),
                false,
                unfinished)
            .write(dir);
      }
      ModelManifest complete =
          ModelManifest.of(
              id,
              entry.kind(),
              entry.name(),
              ModelManifest.Origin.hub(entry, commit, origin.endpoint()),
              ordered(entry, done),
              true,
              null);
      complete.write(dir);
      listener.onProgress(
          s.progress(DownloadProgress.Phase.DONE, null, entry.files().size(), 0, -1));
      return complete;
    } catch (ModelLoadException e) {
      if (HttpDownloader.isUnreachable(e)) {
        removeIfEmpty(store.folder(id));
        throw offline(entry, e);
      }
      throw e;
    }
  }

  /**
   * A checkpoint entry: unless it is installed intact from the same file, downloads the file into
   * {@code .<id>.download/} of the store (resumable like any download), converts it, and removes
   * the download, converted or not.
   */
  private ModelManifest pullCheckpoint(
      CatalogEntry entry, DownloadListener listener, CancelToken cancel) {
    store.cleanStaging();
    String id = entry.id();
    CatalogFile f = entry.files().get(0);
    if (conversion == null) {
      throw new ModelLoadException(
          "model "
              + id
              + ": expected a puller that converts checkpoints for "
              + f.path()
              + ", found none");
    }
    ModelManifest installed = store.manifest(id).orElse(null);
    if (intact(store.folder(id), installed, f)) {
      return installed;
    }
    PullSession s = new PullSession(entry, listener);
    Path work = store.root().resolve("." + id + ".download");
    String name = f.path().substring(f.path().lastIndexOf('/') + 1);
    Path target = work.resolve(name);
    HttpDownloader.Fetched got;
    try (StoreLock lock =
        store.lock(
            id,
            () ->
                listener.onProgress(s.progress(DownloadProgress.Phase.WAITING, null, 0, 0, -1)))) {
      Files.createDirectories(work);
      // the download, and up to twice its size again for float32 weights from a float16 file
      checkSpace(work, List.of(f, f, f));
      got =
          downloader.fetch(
              entry.url(downloader.settings().endpoint(), f),
              target,
              f.size(),
              f.sha256(),
              (present, total) -> s.downloading(f, 0, present, total),
              cancel);
      s.finished(0, got.size(), true);
    } catch (IOException e) {
      throw new ModelLoadException(
          "model " + id + ": cannot write the download folder " + work + ": " + e.getMessage(), e);
    } catch (ModelLoadException e) {
      if (HttpDownloader.isUnreachable(e)) {
        throw offline(entry, e);
      }
      throw e;
    }
    try {
      return conversion.convert(
          target,
          entry,
          ModelManifest.Origin.hub(
              entry, got.commit(), downloader.settings().endpoint().toString()),
          got.sha256(),
          listener,
          cancel);
    } finally {
      ModelStore.deleteTree(work);
    }
  }

  /** A converted model whose source is this file and whose files are as the manifest says. */
  private static boolean intact(Path dir, ModelManifest m, CatalogFile f) {
    if (m == null
        || !m.complete()
        || m.problem() != null
        || m.origin().conversion() == null
        || (f.sha256() != null && !f.sha256().equals(m.origin().conversion().sha256()))) {
      return false;
    }
    for (ModelManifest.FileRecord r : m.files()) {
      Path p = dir.resolve(r.path());
      if (!Files.isRegularFile(p)
          || p.toFile().length() != r.size()
          || r.mtime() == null
          || !r.mtime().equals(ModelStore.mtime(p))) {
        return false;
      }
    }
    return true;
  }

  /** After a pull that fetched nothing, leaves no folder behind that only holds a manifest. */
  private static void removeIfEmpty(Path dir) {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      if (s.allMatch(p -> p.getFileName().toString().equals(ModelManifest.FILE_NAME))) {
        ModelStore.deleteTree(dir);
      }
    } catch (IOException | RuntimeException e) {
      // Leaving the folder only shows an incomplete model in `models list`.
    }
  }

  /**
   * The error for a hub that cannot be reached: names the model, every file with its URL, and the
   * {@code import} alternative.
   */
  public ModelLoadException offline(CatalogEntry entry, Throwable cause) {
    StringBuilder m = new StringBuilder();
    m.append("model ")
        .append(entry.id())
        .append(" (")
        .append(entry.name())
        .append(") is not installed and ")
        .append(downloader.settings().endpoint().getHost())
        .append(" cannot be reached");
    if (cause != null) {
      m.append(" (").append(rootMessage(cause)).append(")");
    }
    m.append(". It needs these files (")
        .append(Sizes.human(entry.totalSize()))
        .append(" in all), in this layout:");
    List<URI> urls = urls(entry);
    for (int i = 0; i < urls.size(); i++) {
      CatalogFile f = entry.files().get(i);
      m.append("\n  ")
          .append(f.path())
          .append("  (")
          .append(Sizes.human(f.sizeForDisplay()))
          .append(")  ")
          .append(urls.get(i));
    }
    m.append(
            "\nFetch them on a connected machine into a folder with that layout, then run: "
                + "atelier models import DIR --id ")
        .append(entry.id());
    return new ModelLoadException(m.toString(), cause);
  }

  private static String rootMessage(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    if (r instanceof java.nio.channels.UnresolvedAddressException
        || r instanceof java.net.UnknownHostException) {
      return "its host name does not resolve";
    }
    if (r instanceof java.net.ConnectException) {
      return "connection refused";
    }
    if (r instanceof java.net.http.HttpConnectTimeoutException) {
      return "the connection timed out";
    }
    return r.getMessage() == null ? r.getClass().getSimpleName() : r.toString();
  }

  /** A file already on disk and trusted (or re-hashed and matching), or null to fetch it. */
  private static ModelManifest.FileRecord present(
      Path dir,
      CatalogFile f,
      ModelManifest.FileRecord record,
      PullSession s,
      int index,
      CancelToken cancel) {
    Path p = dir.resolve(f.path());
    if (record == null || !Files.isRegularFile(p)) {
      return null;
    }
    long size = p.toFile().length();
    if (size != record.size()
        || (f.size() != null && size != f.size())
        || (f.sha256() != null && !f.sha256().equals(record.sha256()))) {
      return null;
    }
    Long mtime = ModelStore.mtime(p);
    if (record.mtime() != null && record.mtime().equals(mtime)) {
      return record;
    }
    String sha = ModelStore.hash(p, done -> s.checking(f, index, done, size), cancel);
    return sha.equals(record.sha256())
        ? new ModelManifest.FileRecord(f.path(), size, sha, record.check(), mtime)
        : null;
  }

  private static List<ModelManifest.FileRecord> ordered(
      CatalogEntry e, List<ModelManifest.FileRecord> records) {
    List<ModelManifest.FileRecord> out = new ArrayList<>();
    for (CatalogFile f : e.files()) {
      records.stream().filter(r -> r.path().equals(f.path())).findFirst().ifPresent(out::add);
    }
    return out;
  }

  private static void checkSpace(Path dir, List<CatalogFile> todo) {
    long need = 0;
    for (CatalogFile f : todo) {
      need += f.sizeForDisplay() - HttpDownloader.partFile(dir.resolve(f.path())).toFile().length();
    }
    try {
      long free = Files.getFileStore(dir).getUsableSpace();
      if (need > free) {
        throw new ModelLoadException(
            "not enough disk space in "
                + dir
                + ": the pull needs about "
                + Sizes.human(need)
                + ", "
                + Sizes.human(free)
                + " is free");
      }
    } catch (IOException e) {
      // The file store cannot tell its free space; the download will fail clearly if it runs out.
    }
  }
}

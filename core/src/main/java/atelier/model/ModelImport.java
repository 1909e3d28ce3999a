package atelier.model;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ModelLoadException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Copies a model folder into a store staging folder and records each file's size and hash. */
final class ModelImport {
  private ModelImport() {}

  /** {@link ModelStore#importFolder}: check, stage, hash, then swap into place. */
  static ModelManifest run(
      ModelStore store,
      Path source,
      String id,
      ModelKind kind,
      Consumer<Path> check,
      boolean replace,
      Path recordedSource,
      DownloadListener listener,
      CancelToken cancel) {
    if (!Files.isDirectory(source)) {
      throw new BadRequestException(
          "import: expected a model folder, found "
              + (Files.exists(source) ? "a file" : "nothing")
              + " at "
              + source);
    }
    String modelId = id != null ? id : ModelStore.idFor(source);
    Path dir = store.folder(modelId);
    Path src = source.toAbsolutePath().normalize();
    if (src.startsWith(store.root().toAbsolutePath().normalize())) {
      throw new BadRequestException(
          "import: " + source + " is already inside the store " + store.root());
    }
    check.accept(source);
    store.cleanStaging();
    try (StoreLock lock = store.lock(modelId, () -> {})) {
      if (Files.exists(dir) && !replace) {
        throw new BadRequestException(
            "import: model "
                + modelId
                + " is already installed; pass --replace, or choose"
                + " another --id");
      }
      Path tmp = store.root().resolve("." + modelId + ".import-" + System.nanoTime());
      try {
        List<ModelManifest.FileRecord> records = copy(src, tmp, modelId, listener, cancel);
        ModelManifest m =
            ModelManifest.of(
                modelId,
                kind,
                src.getFileName().toString(),
                ModelManifest.Origin.imported(recordedSource != null ? recordedSource : src),
                records,
                true,
                null);
        m.write(tmp);
        swapIn(store, modelId, tmp, dir);
        return m;
      } catch (IOException e) {
        throw new ModelLoadException("import of " + source + " failed: " + e.getMessage(), e);
      } finally {
        ModelStore.deleteTree(tmp);
      }
    }
  }

  /** {@link ModelStore#installConverted}: write into staging, check, manifest, swap into place. */
  static ModelManifest install(
      ModelStore store,
      String id,
      ModelKind kind,
      String name,
      ModelManifest.Origin origin,
      boolean replace,
      ModelStore.StagingWriter writer,
      Consumer<Path> check) {
    Path dir = store.folder(id);
    store.cleanStaging();
    try (StoreLock lock = store.lock(id, () -> {})) {
      if (Files.exists(dir) && !replace) {
        throw new BadRequestException(
            "import: model "
                + id
                + " is already installed; pass --replace, or choose"
                + " another --id");
      }
      Path tmp = store.root().resolve("." + id + ".import-" + System.nanoTime());
      try {
        List<ModelManifest.FileRecord> records = writer.write(tmp);
        check.accept(tmp);
        ModelManifest m = ModelManifest.of(id, kind, name, origin, records, true, null);
        m.write(tmp);
        swapIn(store, id, tmp, dir);
        return m;
      } catch (IOException e) {
        throw new ModelLoadException(
            "import of " + name + " failed: " + e.getMessage() + " (nothing was installed)", e);
      } finally {
        ModelStore.deleteTree(tmp);
      }
    }
  }

  /** Moves a finished staging folder into place, replacing (atomically) an installed one. */
  private static void swapIn(ModelStore store, String id, Path tmp, Path dir) throws IOException {
    if (Files.exists(dir)) {
      Path old = store.root().resolve("." + id + ".old-" + System.nanoTime());
      Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      ModelStore.deleteTree(old);
    } else {
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /**
   * Links (or, across file systems, copies) every non-hidden regular file of {@code source} into
   * {@code staging} at the same relative path, hashing each one.
   */
  static List<ModelManifest.FileRecord> copy(
      Path source, Path staging, String id, DownloadListener listener, CancelToken cancel)
      throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(source)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(p -> !hidden(source.relativize(p)))
              .sorted()
              .toList();
    }
    Path allowed = linkRoot(source);
    long total = 0;
    for (Path f : files) {
      total += Files.size(f);
    }
    List<ModelManifest.FileRecord> records = new ArrayList<>();
    long before = 0;
    for (int i = 0; i < files.size(); i++) {
      cancel.check();
      Path f = files.get(i);
      String rel = source.relativize(f).toString().replace('\\', '/');
      Path target = staging.resolve(rel);
      Files.createDirectories(target.getParent());
      Path real = contents(f, rel, allowed);
      try {
        Files.createLink(target, real);
      } catch (UnsupportedOperationException | FileSystemException e) {
        Files.copy(real, target, StandardCopyOption.COPY_ATTRIBUTES);
      }
      long size = Files.size(target);
      final int index = i;
      final long offset = before;
      final long all = total;
      String sha =
          ModelStore.hash(
              target,
              done ->
                  listener.onProgress(
                      new DownloadProgress(
                          DownloadProgress.Phase.CHECKING,
                          id,
                          rel,
                          index,
                          files.size(),
                          done,
                          size,
                          offset + done,
                          all,
                          0,
                          null)),
              cancel);
      records.add(new ModelManifest.FileRecord(rel, size, sha, "import", ModelStore.mtime(target)));
      before += size;
    }
    if (records.isEmpty()) {
      throw new IOException("the folder " + source + " has no files");
    }
    return records;
  }

  /**
   * The folder that symbolic links in {@code source} may point into: the source itself, or, for a
   * Hugging Face cache snapshot ({@code models--ORG--NAME/snapshots/REV}, whose files are relative
   * links into {@code ../../blobs}), the cache entry {@code models--ORG--NAME}.
   */
  static Path linkRoot(Path source) throws IOException {
    Path real = source.toRealPath();
    Path snapshots = real.getParent();
    if (snapshots != null
        && snapshots.getFileName() != null
        && snapshots.getFileName().toString().equals("snapshots")
        && snapshots.getParent() != null
        && Files.isDirectory(snapshots.getParent().resolve("blobs"))) {
      return snapshots.getParent();
    }
    return real;
  }

  /**
   * The real file behind {@code f}: symbolic links are followed, but only to files inside {@code
   * allowed}, so an import never reads (or links) a file outside the model it was given.
   */
  private static Path contents(Path f, String rel, Path allowed) throws IOException {
    Path real = f.toRealPath();
    if (!real.startsWith(allowed)) {
      throw new BadRequestException(
          "import: "
              + rel
              + " is a link to "
              + real
              + "; expected files inside "
              + allowed
              + ", found one outside it");
    }
    return real;
  }

  private static boolean hidden(Path relative) {
    for (Path segment : relative) {
      if (segment.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}

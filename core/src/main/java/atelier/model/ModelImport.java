package atelier.model;

import atelier.CancelToken;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Copies a model folder into a store staging folder and records each file's size and hash. */
final class ModelImport {
  private ModelImport() {}

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
      try {
        Files.createLink(target, f);
      } catch (UnsupportedOperationException | FileSystemException e) {
        Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
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

  private static boolean hidden(Path relative) {
    for (Path segment : relative) {
      if (segment.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}

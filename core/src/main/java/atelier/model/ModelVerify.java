package atelier.model;

import atelier.CancelToken;
import atelier.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@link ModelStore#verify}: hashes every file of a model and records failures in its manifest. */
final class ModelVerify {
  private ModelVerify() {}

  static VerifyReport verify(
      ModelStore store, String id, DownloadListener listener, CancelToken cancel) {
    try (StoreLock lock = store.lock(id, () -> {})) {
      Path dir = store.folder(id);
      if (!Files.isRegularFile(dir.resolve(ModelManifest.FILE_NAME))) {
        throw new ModelLoadException(
            "model "
                + id
                + (Files.isDirectory(dir) ? " has no store manifest" : " is not installed")
                + "; run: atelier models pull "
                + id
                + " (or import a folder you have)");
      }
      ModelManifest m = ModelManifest.read(dir);
      long total = m.totalSize();
      long before = 0;
      List<VerifyReport.FileCheck> checks = new ArrayList<>();
      List<ModelManifest.FileRecord> records = new ArrayList<>();
      for (int i = 0; i < m.files().size(); i++) {
        ModelManifest.FileRecord f = m.files().get(i);
        Path p = dir.resolve(f.path());
        VerifyReport.FileCheck c;
        if (!Files.isRegularFile(p)) {
          c =
              new VerifyReport.FileCheck(
                  f.path(), VerifyReport.Status.MISSING, f.size(), -1, f.sha256(), null);
        } else if (p.toFile().length() != f.size()) {
          c =
              new VerifyReport.FileCheck(
                  f.path(),
                  VerifyReport.Status.SIZE,
                  f.size(),
                  p.toFile().length(),
                  f.sha256(),
                  null);
        } else {
          final int index = i;
          final long offset = before;
          String sha =
              ModelStore.hash(
                  p,
                  done ->
                      listener.onProgress(
                          new DownloadProgress(
                              DownloadProgress.Phase.CHECKING,
                              id,
                              f.path(),
                              index,
                              m.files().size(),
                              done,
                              f.size(),
                              offset + done,
                              total,
                              0,
                              null)),
                  cancel);
          c =
              new VerifyReport.FileCheck(
                  f.path(),
                  sha.equals(f.sha256()) ? VerifyReport.Status.OK : VerifyReport.Status.HASH,
                  f.size(),
                  f.size(),
                  f.sha256(),
                  sha);
        }
        checks.add(c);
        records.add(
            c.status() == VerifyReport.Status.OK
                ? new ModelManifest.FileRecord(
                    f.path(), f.size(), f.sha256(), f.check(), ModelStore.mtime(p))
                : f.untrusted());
        before += f.size();
      }
      VerifyReport report = new VerifyReport(id, checks);
      String problem =
          report.ok()
              ? null
              : "verify failed: "
                  + String.join(
                      "; ",
                      report.failures().stream().map(VerifyReport.FileCheck::describe).toList());
      m.with(records, m.complete(), problem).write(dir);
      return report;
    }
  }
}

package atelier.model;

import java.time.Duration;

/** Byte counts, rate and ETA across the files of one pull. */
final class PullSession {
  private final CatalogEntry entry;
  private final DownloadListener listener;
  private final long start = System.nanoTime();
  private final long[] sizes;
  private long finishedBytes;
  private long networkBytes;
  private long lastPresent;
  private String lastFile;

  PullSession(CatalogEntry entry, DownloadListener listener) {
    this.entry = entry;
    this.listener = listener;
    this.sizes = entry.files().stream().mapToLong(CatalogFile::sizeForDisplay).toArray();
  }

  void checking(CatalogFile f, int index, long done, long size) {
    listener.onProgress(
        new DownloadProgress(
            DownloadProgress.Phase.CHECKING,
            entry.id(),
            f.path(),
            index,
            entry.files().size(),
            done,
            size,
            finishedBytes + done,
            total(),
            0,
            null));
  }

  void downloading(CatalogFile f, int index, long present, long total) {
    if (!f.path().equals(lastFile)) {
      lastFile = f.path();
      lastPresent = present;
    }
    if (total > 0) {
      sizes[index] = total;
    }
    networkBytes += Math.max(0, present - lastPresent);
    lastPresent = present;
    listener.onProgress(
        progress(DownloadProgress.Phase.DOWNLOADING, f.path(), index, present, sizes[index]));
  }

  /** A file is complete: reported as FILE_DONE only when it was fetched, not kept. */
  void finished(int index, long size, boolean fetched) {
    sizes[index] = size;
    finishedBytes += size;
    lastFile = null;
    if (fetched) {
      listener.onProgress(
          progress(
              DownloadProgress.Phase.FILE_DONE,
              entry.files().get(index).path(),
              index,
              size,
              size));
    }
  }

  long total() {
    long t = 0;
    for (long s : sizes) {
      t += s;
    }
    return t;
  }

  DownloadProgress progress(
      DownloadProgress.Phase phase, String file, int index, long present, long fileTotal) {
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = seconds > 0.5 ? networkBytes / seconds : 0;
    long inFlight = phase == DownloadProgress.Phase.DOWNLOADING ? present : 0;
    long done = finishedBytes + inFlight;
    long total = total();
    Duration eta =
        rate > 0 && total > done ? Duration.ofMillis((long) ((total - done) / rate * 1000)) : null;
    return new DownloadProgress(
        phase,
        entry.id(),
        file,
        Math.min(index, entry.files().size()),
        entry.files().size(),
        present,
        fileTotal,
        done,
        total,
        rate,
        eta);
  }
}

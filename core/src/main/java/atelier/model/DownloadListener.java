package atelier.model;

/**
 * Receives the progress of a pull or verify, on the working thread. The CLI's download bar is one;
 * keep it quick and never throw from it.
 */
@FunctionalInterface
public interface DownloadListener {
  /** A listener that ignores everything. */
  DownloadListener NONE = p -> {};

  void onProgress(DownloadProgress progress);
}

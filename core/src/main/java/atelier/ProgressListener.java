package atelier;

/**
 * Receives progress of long work. The CLI's progress bar and the server's live updates are both
 * listeners. Called on the working thread: keep it quick and never throw from it.
 */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores everything. */
  ProgressListener NONE = p -> {};

  void onProgress(Progress progress);
}

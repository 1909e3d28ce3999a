package atelier.server;

import atelier.CancelToken;

/**
 * What a running job sees of its worker: where to report progress and whether to stop. Called from
 * the job's own thread; thread-safe.
 */
public interface JobControl {
  /** Reports that {@code step} of {@code total} steps are done; cheap, call it every step. */
  void progress(int step, int total);

  /**
   * A token that is cancelled when someone cancels the job or the worker loses its lease; pass it
   * to core's long-running calls, or call {@link CancelToken#check()} between steps.
   */
  CancelToken cancelToken();
}

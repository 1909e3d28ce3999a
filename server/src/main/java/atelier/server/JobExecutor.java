package atelier.server;

/**
 * Runs one job of the kinds it knows. The single seam between the queue and the work: the
 * production executor hands the spec to core's job layer; tests use small real ones. Called from
 * several worker threads at once: implementations must be thread-safe.
 */
@FunctionalInterface
public interface JobExecutor {
  /**
   * Runs {@code job} and returns its images; it writes nothing itself (the worker does,
   * atomically).
   *
   * @throws atelier.CancelledException when it stopped because {@code control}'s token was
   *     cancelled
   * @throws atelier.AtelierException for a bad spec or a model or inference failure: the job fails
   *     with that kind and message
   */
  JobOutcome execute(Job job, JobControl control) throws Exception;
}

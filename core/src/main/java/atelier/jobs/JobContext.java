package atelier.jobs;

import atelier.CancelToken;
import atelier.ProgressListener;
import java.util.Objects;

/**
 * What one run of a job reports to and writes into: a progress listener (a terminal bar, a server's
 * live updates), a cancel token checked between steps, and the sink that receives each finished
 * image at once.
 */
public record JobContext(ProgressListener progress, CancelToken cancel, OutputSink sink) {
  public JobContext {
    progress = progress == null ? ProgressListener.NONE : progress;
    cancel = cancel == null ? CancelToken.NONE : cancel;
    Objects.requireNonNull(sink, "sink");
  }

  /** A context with no progress and no cancellation, writing into {@code sink}. */
  public static JobContext of(OutputSink sink) {
    return new JobContext(ProgressListener.NONE, CancelToken.NONE, sink);
  }
}

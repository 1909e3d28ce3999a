package atelier.jobs;

import atelier.CancelToken;
import atelier.ProgressListener;
import java.util.Objects;

/**
 * What one run of a job reports to and writes into: a progress listener (a terminal bar, a server's
 * live updates), a cancel token checked between steps, the sink that receives each finished image
 * at once, and the listener for recipe and sweep events (stage lines, written files).
 */
public record JobContext(
    ProgressListener progress, CancelToken cancel, OutputSink sink, JobEvents events) {
  public JobContext {
    progress = progress == null ? ProgressListener.NONE : progress;
    cancel = cancel == null ? CancelToken.NONE : cancel;
    Objects.requireNonNull(sink, "sink");
    events = events == null ? JobEvents.NONE : events;
  }

  /** A context that hears no recipe or sweep events. */
  public JobContext(ProgressListener progress, CancelToken cancel, OutputSink sink) {
    this(progress, cancel, sink, JobEvents.NONE);
  }

  /** A context with no progress and no cancellation, writing into {@code sink}. */
  public static JobContext of(OutputSink sink) {
    return new JobContext(ProgressListener.NONE, CancelToken.NONE, sink);
  }
}

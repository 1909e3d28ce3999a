package atelier.server;

import java.time.Instant;

/**
 * One job as stored in the queue: what to do ({@code kind} and its JSON {@code spec}, whose seed
 * was fixed at submission so a re-run makes the same images), where it is, who runs it and how it
 * ended. A snapshot; read it again from the {@link JobQueue} to see changes. Times are the
 * database's clock; optional ones are null until they happen.
 *
 * @param id opaque random id (a UUID); never a file path
 * @param kind what the spec describes, such as {@code generate} or {@code upscale}
 * @param spec the job's parameters, a JSON object
 * @param state where the job is
 * @param priority higher runs first; equal priorities run in submission order
 * @param attempts how many times a worker has claimed the job
 * @param workerId the worker that holds (or last held) the job
 * @param createdAt when it was submitted
 * @param startedAt when its latest attempt started
 * @param finishedAt when it reached a final state
 * @param leaseExpiresAt when a running job's lease runs out unless its worker renews it
 * @param heartbeatAt when its worker last renewed the lease
 * @param errorKind for failed jobs: {@code bad_request}, {@code model_load}, {@code inference},
 *     {@code internal} or {@code interrupted} (the CLI's JSON error kinds, plus the last for a job
 *     whose workers kept dying)
 * @param errorMessage for failed jobs: the one-line message
 * @param progressStep the step reached, as of the last heartbeat
 * @param progressTotal the steps in all, as of the last heartbeat (0 when unknown)
 * @param cancelRequested whether someone asked a running job to stop
 * @param result for done jobs: what the job reports besides its images, a JSON object ({@code
 *     selection}: the best-of-N report; {@code notes}), or null
 */
public record Job(
    String id,
    String kind,
    String spec,
    JobState state,
    int priority,
    int attempts,
    String workerId,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Instant leaseExpiresAt,
    Instant heartbeatAt,
    String errorKind,
    String errorMessage,
    int progressStep,
    int progressTotal,
    boolean cancelRequested,
    String result) {}

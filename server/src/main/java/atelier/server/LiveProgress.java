package atelier.server;

/**
 * The latest progress of a job running in this process, finer than the queue's heartbeat: the
 * stage, the step over all images of the job, the rate and the time left. Immutable.
 *
 * @param stage the stage running now ({@code denoise}, {@code decode}, …, lower case)
 * @param step denoising steps done over all images of the job
 * @param total denoising steps in all (at least 1)
 * @param rate steps per second in the current image so far (0 before the first step)
 * @param etaSeconds estimated seconds left for the whole job, or -1 when not yet known
 */
public record LiveProgress(String stage, int step, int total, double rate, double etaSeconds) {}

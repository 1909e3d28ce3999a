package atelier.server;

import java.time.Instant;

/**
 * One output image in the gallery index: where its file is and what to filter it by. Immutable.
 *
 * @param id opaque random id (a UUID)
 * @param jobId the job that made it
 * @param index its place among the job's outputs, from 0
 * @param path the file, relative to the output storage root (forward slashes)
 * @param prompt the prompt, for filtering (may be null)
 * @param model the model id, for filtering (may be null)
 * @param recipe the recipe name, for filtering (may be null)
 * @param record the image's full record as JSON (may be null)
 * @param createdAt when it was committed (null before it is stored)
 */
public record ImageRow(
    String id,
    String jobId,
    int index,
    String path,
    String prompt,
    String model,
    String recipe,
    String record,
    Instant createdAt) {}

package atelier.pipeline;

/**
 * Wall-clock times of one generation run, in milliseconds (shared by the images of a batch).
 *
 * @param textMs prompt encoding
 * @param imageEncodeMs basemap encoding (0 for text-to-image)
 * @param denoiseMs all sampler steps of all images
 * @param stepMs mean time of one step of one image
 * @param decodeMs VAE decoding of all images
 * @param totalMs the whole run
 */
public record Timings(
    double textMs,
    double imageEncodeMs,
    double denoiseMs,
    double stepMs,
    double decodeMs,
    double totalMs) {}

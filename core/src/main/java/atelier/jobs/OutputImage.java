package atelier.jobs;

import java.util.Objects;

/**
 * One finished image handed to an {@link OutputSink}: the PNG file's bytes (with every metadata
 * chunk already in them) and what a sink needs to name it.
 *
 * @param png the complete PNG file
 * @param width pixels
 * @param height pixels
 * @param seed the seed that made it, or null (an upscaled input)
 * @param name a file name stem the job suggests when there is no seed ({@code photo-x4}), or null
 */
public record OutputImage(byte[] png, int width, int height, Long seed, String name) {
  public OutputImage {
    Objects.requireNonNull(png, "png");
  }
}

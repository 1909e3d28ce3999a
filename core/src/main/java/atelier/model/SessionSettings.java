package atelier.model;

import atelier.BadRequestException;
import java.util.Objects;

/**
 * How ONNX Runtime sessions are made: the device and thread counts.
 *
 * @param device where the graphs run
 * @param intraOpThreads threads inside one operator, at most {@link #MAX_THREADS}; 0 lets ONNX
 *     Runtime use one per physical core
 * @param cudaDeviceId which GPU, for {@link Device#CUDA}
 */
public record SessionSettings(Device device, int intraOpThreads, int cudaDeviceId) {

  /**
   * The most threads per operator: ONNX Runtime starts them all when a session opens, so a huge
   * count only stalls the machine (100000 never finished loading).
   */
  public static final int MAX_THREADS = 256;

  /** CPU with ONNX Runtime's thread defaults. */
  public static final SessionSettings CPU = new SessionSettings(Device.CPU, 0, 0);

  public SessionSettings {
    Objects.requireNonNull(device, "device");
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException(
          "intraOpThreads: expected 0 (automatic) or more, found " + intraOpThreads);
    }
    if (intraOpThreads > MAX_THREADS) {
      throw new BadRequestException(
          "threads: expected at most " + MAX_THREADS + " per operator, found " + intraOpThreads);
    }
    if (cudaDeviceId < 0) {
      throw new IllegalArgumentException("cudaDeviceId: expected 0 or more, found " + cudaDeviceId);
    }
  }

  /** The default settings for a device. */
  public static SessionSettings of(Device device) {
    return new SessionSettings(device, 0, 0);
  }
}

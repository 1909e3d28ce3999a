package atelier.model;

import java.util.Objects;

/**
 * How ONNX Runtime sessions are made: the device and thread counts.
 *
 * @param device where the graphs run
 * @param intraOpThreads threads inside one operator; 0 lets ONNX Runtime use one per physical core
 * @param cudaDeviceId which GPU, for {@link Device#CUDA}
 */
public record SessionSettings(Device device, int intraOpThreads, int cudaDeviceId) {

  /** CPU with ONNX Runtime's thread defaults. */
  public static final SessionSettings CPU = new SessionSettings(Device.CPU, 0, 0);

  public SessionSettings {
    Objects.requireNonNull(device, "device");
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException(
          "intraOpThreads: expected 0 (automatic) or more, found " + intraOpThreads);
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

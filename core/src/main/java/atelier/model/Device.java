package atelier.model;

import atelier.BadRequestException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where ONNX Runtime runs a model: the CPU (default) or an NVIDIA GPU through CUDA. */
public enum Device {
  CPU("cpu"),
  CUDA("cuda", "gpu");

  private final String[] names;

  Device(String... names) {
    this.names = names;
  }

  /** The name used on the command line and in stored records. */
  public String cliName() {
    return names[0];
  }

  /**
   * Finds a device by name or alias, ignoring case.
   *
   * @throws BadRequestException naming the valid choices when {@code name} is unknown
   */
  public static Device lookup(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (Device d : values()) {
      if (Arrays.asList(d.names).contains(n)) {
        return d;
      }
    }
    throw new BadRequestException(
        "device: expected one of "
            + Arrays.stream(values()).map(Device::cliName).collect(Collectors.joining(", "))
            + ", found '"
            + name
            + "'");
  }
}

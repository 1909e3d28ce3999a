package atelier.upscale;

import atelier.ModelLoadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What Atelier knows about an upscaler beside its graph: the {@code upscaler.json} an import writes
 * next to {@code model.onnx}. Optional for a plain ONNX upscaler; the graph alone is enough.
 *
 * @param id the model's id in the store, e.g. {@code esrgan-slim-x4}
 * @param name the source package or model name, e.g. {@code @upscalerjs/esrgan-slim}
 * @param version the source version, e.g. {@code 1.0.0}
 * @param source where it was converted from (package file and model path), for people
 * @param license the source's licence, e.g. {@code MIT}
 * @param architecture the network family, e.g. {@code rdn} or {@code rrdn}
 * @param scale the output size / input size
 * @param inputRange the upper end of the source model's value range (255 or 1); the converted graph
 *     takes [0, 1] either way
 * @param peakFloatsPerPixel the converter's working-memory floor per input pixel, 0 when unknown
 */
public record UpscalerInfo(
    String id,
    String name,
    String version,
    String source,
    String license,
    String architecture,
    int scale,
    float inputRange,
    long peakFloatsPerPixel) {

  /** The file name beside {@code model.onnx}. */
  public static final String FILE = "upscaler.json";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT);

  public UpscalerInfo {
    Objects.requireNonNull(id, "id");
    if (scale < 1 || scale > 16) {
      throw new IllegalArgumentException("scale: expected 1 to 16, found " + scale);
    }
    if (peakFloatsPerPixel < 0) {
      throw new IllegalArgumentException(
          "peakFloatsPerPixel: expected 0 or more, found " + peakFloatsPerPixel);
    }
  }

  /** Writes this record to {@code folder/upscaler.json}. */
  public void write(Path folder) throws IOException {
    Files.writeString(folder.resolve(FILE), JSON.writeValueAsString(this) + "\n");
  }

  /**
   * Reads {@code folder/upscaler.json}; empty when the folder has none.
   *
   * @throws ModelLoadException when the file exists but is not a valid record
   */
  public static Optional<UpscalerInfo> read(Path folder) {
    Path file = folder.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), UpscalerInfo.class));
    } catch (IOException | IllegalArgumentException e) {
      throw new ModelLoadException(
          file + ": expected an upscaler record (id, scale, …), found: " + e.getMessage(), e);
    }
  }
}

package atelier.upscale;

import atelier.BadRequestException;
import atelier.image.ImageInput;
import atelier.image.PngText;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Upscaled images as PNG files that keep the input's text chunks (A1111 {@code parameters},
 * Atelier's {@code atelier} record, anything else) and add the upscale steps: an {@code
 * atelier-upscale} chunk with a JSON list of {@link UpscaleRecord}s (one more per upscale) and
 * A1111's {@code postprocessing} line ({@code Postprocess upscale by: 4, Postprocess upscaler: …}).
 * Stateless.
 */
public final class UpscalePng {
  /** The text chunk holding the JSON list of upscale records. */
  public static final String RECORDS = "atelier-upscale";

  /** A1111's text chunk for post-processing (its "Extras" tab) parameters. */
  public static final String POSTPROCESSING = "postprocessing";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private UpscalePng() {}

  /**
   * Reads an image and its text chunks (none for formats other than PNG).
   *
   * @throws BadRequestException when the file is missing or not a readable image
   */
  public static Input read(Path file) {
    BufferedImage image = ImageInput.read("image", file);
    try {
      Map<String, String> texts = PngText.isPng(file) ? PngText.read(file) : Map.of();
      return new Input(image, texts);
    } catch (IOException e) {
      throw new BadRequestException("image " + file + ": " + e.getMessage(), e);
    }
  }

  /** An image read for upscaling, with its PNG text chunks in file order. */
  public record Input(BufferedImage image, Map<String, String> texts) {
    public Input {
      texts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(texts));
    }
  }

  /** The chunks of the output: the input's, with this step added to both upscale chunks. */
  public static Map<String, String> texts(Map<String, String> input, UpscaleRecord record) {
    Map<String, String> out = new LinkedHashMap<>(input);
    ArrayNode list = JSON.createArrayNode();
    String previous = input.get(RECORDS);
    if (previous != null) {
      try {
        JsonNode old = JSON.readTree(previous);
        if (old.isArray()) {
          list.addAll((ArrayNode) old);
        }
      } catch (IOException e) {
        // A damaged earlier record is dropped rather than failing the new step.
      }
    }
    list.add(JSON.valueToTree(record));
    try {
      out.put(RECORDS, JSON.writeValueAsString(list));
    } catch (IOException e) {
      throw new UncheckedIOException("serialising the upscale record failed", e);
    }
    String line =
        String.format(
            Locale.ROOT,
            "Postprocess upscale by: %d, Postprocess upscaler: %s",
            record.scale(),
            record.model());
    String pp = input.get(POSTPROCESSING);
    out.put(POSTPROCESSING, pp == null || pp.isBlank() ? line : pp + ", " + line);
    return out;
  }

  /** The upscale records stored in a PNG's chunks (empty when there are none). */
  public static List<UpscaleRecord> records(Map<String, String> texts) {
    String json = texts.get(RECORDS);
    if (json == null) {
      return List.of();
    }
    try {
      return List.of(JSON.readValue(json, UpscaleRecord[].class));
    } catch (IOException e) {
      throw new BadRequestException(
          "chunk " + RECORDS + ": expected a JSON list of upscale records: " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code image} with {@code texts} to {@code file} atomically (temporary file, rename).
   */
  public static void write(BufferedImage image, Map<String, String> texts, Path file)
      throws IOException {
    atelier.AtomicFiles.write(file, PngText.encode(image, texts));
  }
}

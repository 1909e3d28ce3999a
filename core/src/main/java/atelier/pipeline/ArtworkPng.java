package atelier.pipeline;

import atelier.BadRequestException;
import atelier.image.PngText;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Generated images as PNG files: the A1111 {@code parameters} text chunk (other tools read it) and
 * an {@code atelier} chunk with the full {@link ImageRecord} as JSON. Files are written to a
 * temporary name and renamed, so a failed write never leaves a half file. Stateless.
 */
public final class ArtworkPng {
  /** The text chunk holding A1111's parameters. */
  public static final String PARAMETERS = "parameters";

  /** The text chunk holding Atelier's JSON record. */
  public static final String RECORD = "atelier";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private ArtworkPng() {}

  /** The JSON mapper for records (indented output, tolerant of unknown fields). */
  public static ObjectMapper json() {
    return JSON;
  }

  /** The PNG bytes of an artwork with both chunks. */
  public static byte[] encode(Artwork artwork) {
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put(PARAMETERS, Infotext.format(artwork.record()));
    try {
      texts.put(RECORD, JSON.writeValueAsString(artwork.record()));
    } catch (IOException e) {
      throw new UncheckedIOException("serialising the image record failed", e);
    }
    return PngText.encode(artwork.image(), texts);
  }

  /** Writes an artwork to {@code file} atomically (temporary file, then rename). */
  public static void write(Artwork artwork, Path file) throws IOException {
    atelier.AtomicFiles.write(file, encode(artwork));
  }

  /**
   * Reads the record stored in a PNG that Atelier wrote.
   *
   * @throws BadRequestException when the file is unreadable, not a PNG, or carries no record
   */
  public static ImageRecord read(Path file) {
    Map<String, String> texts = texts(file);
    String json = texts.get(RECORD);
    if (json == null) {
      throw new BadRequestException(
          "image "
              + file
              + ": expected an Atelier record (PNG text chunk 'atelier'), found "
              + (texts.isEmpty() ? "no text chunks" : "only " + texts.keySet()));
    }
    ImageRecord record;
    try {
      record = JSON.readValue(json, ImageRecord.class);
    } catch (IOException e) {
      throw new BadRequestException(
          "image " + file + ": the Atelier record is not valid JSON: " + e.getMessage(), e);
    }
    return checked(file, record);
  }

  /**
   * A record read from {@code file} with the fields a re-run needs: the model (id and path) and the
   * settings (with the prompt). Every record Atelier writes has them.
   *
   * @throws BadRequestException naming the missing field
   */
  static ImageRecord checked(Path file, ImageRecord r) {
    String prefix = "image " + file + ": the Atelier record ";
    if (r == null) {
      throw new BadRequestException(prefix + "is null; expected a JSON object");
    }
    if (r.model() == null) {
      throw new BadRequestException(
          prefix + "has no \"model\"; expected the model that made it (id, path, sha256)");
    }
    if (r.model().path() == null || r.model().path().isBlank()) {
      throw new BadRequestException(
          prefix + "has no \"model.path\"; expected the model folder that made it");
    }
    if (r.model().id() == null || r.model().id().isBlank()) {
      throw new BadRequestException(
          prefix + "has no \"model.id\"; expected the id of the model that made it");
    }
    if (r.settings() == null) {
      throw new BadRequestException(
          prefix
              + "has no \"settings\"; expected the settings that made the image (prompt, size,"
              + " steps, seed, …)");
    }
    if (r.settings().prompt() == null) {
      throw new BadRequestException(
          prefix + "has no \"settings.prompt\"; expected the prompt that made the image");
    }
    return r;
  }

  /** All text chunks of a PNG. */
  public static Map<String, String> texts(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new BadRequestException("image " + file + ": expected a PNG file, found nothing");
    }
    try {
      return PngText.read(file);
    } catch (IOException e) {
      throw new BadRequestException("image " + file + ": " + e.getMessage(), e);
    }
  }
}

package atelier.recipe;

import atelier.BadRequestException;
import atelier.image.PngText;
import atelier.pipeline.Artwork;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.Infotext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Recipe outputs as PNG files: the generation's two chunks ({@link ArtworkPng}'s A1111 {@code
 * parameters} and {@code atelier} record) plus an {@code atelier-provenance} chunk with the {@link
 * Provenance} as JSON. Writes go to a temporary file that is then renamed. Stateless.
 */
public final class ProvenancePng {
  /** The text chunk holding the provenance JSON. */
  public static final String PROVENANCE = "atelier-provenance";

  /** The text chunk of a basemap PNG holding its chain as JSON. */
  public static final String BASEMAP = "atelier-basemap";

  private ProvenancePng() {}

  /** The PNG bytes of an artwork with its record and provenance. */
  public static byte[] encode(Artwork artwork, Provenance provenance) {
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put(ArtworkPng.PARAMETERS, Infotext.format(artwork.record()));
    try {
      texts.put(ArtworkPng.RECORD, ArtworkPng.json().writeValueAsString(artwork.record()));
      texts.put(PROVENANCE, ArtworkPng.json().writeValueAsString(provenance));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("serialising the record failed", e);
    }
    return PngText.encode(artwork.image(), texts);
  }

  /** Writes an artwork with its provenance, atomically. */
  public static void write(Artwork artwork, Provenance provenance, Path file) throws IOException {
    atelier.AtomicFiles.write(file, encode(artwork, provenance));
  }

  /**
   * The provenance stored in a PNG, if it has one.
   *
   * @throws BadRequestException when the file is unreadable or its provenance is not valid JSON
   */
  public static Optional<Provenance> read(Path file) {
    String json = ArtworkPng.texts(file).get(PROVENANCE);
    if (json == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ArtworkPng.json().readValue(json, Provenance.class));
    } catch (IOException e) {
      throw new BadRequestException(
          "image " + file + ": the provenance chunk is not valid JSON: " + e.getMessage(), e);
    }
  }
}

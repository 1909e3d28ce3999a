package atelier.recipe;

import atelier.pipeline.GenerationRequest;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * One generation a recipe (or sweep) plans: the request, its basemap (already made, to be written
 * before generating), what happens after (upscale, selection) and the provenance outputs carry.
 *
 * @param name base name of the output files ({@code phone-wallpaper}, {@code
 *     collectible-series-003})
 * @param request the generation request (its init names the basemap file)
 * @param basemap the basemap picture, or null for text-to-image
 * @param basemapPng the basemap file's bytes (with its chain in a text chunk), or null
 * @param basemapFile where the basemap is written, or null
 * @param provenance what outputs record
 * @param notes what the plan did that each output's record should say (e.g. how an input picture
 *     reached the generation size), in order
 */
public record Job(
    String name,
    GenerationRequest request,
    BufferedImage basemap,
    byte[] basemapPng,
    Path basemapFile,
    Provenance provenance,
    java.util.List<String> notes) {
  public Job {
    notes = notes == null ? java.util.List.of() : java.util.List.copyOf(notes);
  }

  /** A job whose outputs need no notes. */
  public Job(
      String name,
      GenerationRequest request,
      BufferedImage basemap,
      byte[] basemapPng,
      Path basemapFile,
      Provenance provenance) {
    this(name, request, basemap, basemapPng, basemapFile, provenance, null);
  }
}

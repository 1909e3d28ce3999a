package atelier.recipe;

import atelier.BadRequestException;
import atelier.image.ImageInput;
import atelier.image.ImageLimits;
import atelier.image.PngText;
import atelier.image.basemap.BasemapChain;
import atelier.model.ModelHasher;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.InitImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Jobs without a recipe, and the basemap files every job writes. Stateless. */
public final class Jobs {
  private Jobs() {}

  /**
   * A job without a recipe: a request as given, with an optional basemap made from an input picture
   * and/or a chain (written beside the outputs), for {@code atelier sweep} and tools.
   *
   * @param request the request, without init or strength
   * @param strength the image-to-image strength, or null (0.75 with a basemap)
   * @param input the input picture, or null
   * @param chain basemap steps (may be empty)
   */
  public static Job plain(
      String name,
      GenerationRequest request,
      Double strength,
      Path input,
      BasemapChain chain,
      Path outDir) {
    if (input == null && chain.isEmpty()) {
      if (strength != null) {
        throw new BadRequestException(
            "strength: applies to image-to-image; expected an init image or basemap ops, found"
                + " neither");
      }
      return new Job(
          name,
          request,
          null,
          null,
          null,
          new Provenance(null, Map.of(), null, null, null, null, null, null, null, null));
    }
    BufferedImage photo = null;
    String photoSha = null;
    if (input != null) {
      byte[] bytes = readBytes(input);
      photo = decode(input, bytes);
      photoSha = ModelHasher.sha256Of(bytes);
    }
    BufferedImage basemap = chain.apply(photo);
    byte[] png = basemapPng(basemap, chain, input, photoSha);
    String sha = ModelHasher.sha256Of(png);
    Path file = outDir.resolve(name + "-basemap.png");
    GenerationRequest r =
        request.toBuilder()
            .init(new InitImage(basemap, file.toString(), sha))
            .strength(strength)
            .build();
    return new Job(
        name,
        r,
        basemap,
        png,
        file,
        new Provenance(
            null,
            Map.of(),
            null,
            new Provenance.BasemapRef(
                input == null ? null : input.toString(),
                photoSha,
                chain.specs(),
                file.toString(),
                sha),
            null,
            null,
            null,
            null,
            null,
            null));
  }

  /** A basemap as PNG bytes, its chain (and input) as JSON in an {@code atelier-basemap} chunk. */
  public static byte[] basemapPng(
      BufferedImage img, BasemapChain chain, Path input, String inputSha) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("input", input == null ? null : input.toString());
    meta.put("inputSha256", inputSha);
    meta.put("steps", chain.specs());
    try {
      return PngText.encode(
          img,
          Map.of(
              ProvenancePng.BASEMAP, atelier.pipeline.ArtworkPng.json().writeValueAsString(meta)));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("serialising the basemap chain failed", e);
    }
  }

  static byte[] readBytes(Path file) {
    return ImageInput.readBytes("input", file, ImageLimits.current());
  }

  static String fileSha(Path file) {
    return ModelHasher.sha256Of(readBytes(file));
  }

  static BufferedImage decode(Path file, byte[] bytes) {
    return ImageInput.decode("input", file, bytes, ImageLimits.current());
  }
}

package atelier.server;

import atelier.BadRequestException;
import atelier.jobs.CraftSources;
import atelier.recipe.Recipe;
import atelier.text.LoraTags;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Makes recipe and sweep submissions safe to take over HTTP, where a spec must never name a file on
 * the server: the recipe is a name from the catalogue (built-in or installed, never a file), the
 * input picture comes as bytes ({@code inputData}, base64) or as a gallery image id ({@code
 * inputImage}) and the server stores it under {@code uploads/} in the output storage with a random
 * name it chooses, and no {@code sets} value, basemap operation or scorer may look like a path.
 * Anything else is a bad request naming the field. Thread-safe.
 */
final class CraftRequests {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");

  /** Spec fields a client fills with bytes or a gallery id, and the path field the job reads. */
  private record Upload(String data, String image, String path) {}

  private static final List<Upload> RECIPE_UPLOADS =
      List.of(new Upload("inputData", "inputImage", "input"));
  private static final List<Upload> SWEEP_UPLOADS =
      List.of(
          new Upload("inputData", "inputImage", "input"),
          new Upload("initData", "initImage", "init"));

  private final Studio studio;
  private final Path uploads;

  CraftRequests(Studio studio, Path storage) {
    this.studio = studio;
    this.uploads = storage.resolve("uploads");
  }

  /** The folder uploaded recipe and sweep inputs are kept in (jobs re-read them on a re-run). */
  Path uploads() {
    return uploads;
  }

  /**
   * Checks a recipe or sweep spec for anything path-like and stores its uploads, replacing them by
   * the stored files' paths.
   *
   * @param saved receives each file stored, for the caller to remove when the submission fails
   * @throws BadRequestException naming the field
   */
  void secure(String kind, ObjectNode s, List<Path> saved) {
    String recipe = s.path("recipe").isTextual() ? s.get("recipe").asText() : null;
    if (recipe != null || kind.equals("recipe")) {
      requireRecipe(kind, recipe);
    }
    checkSets(kind, s.get("sets"));
    checkLoras(kind, s.get("loras"));
    JsonNode ops = s.get("ops");
    if (ops != null && ops.isArray()) {
      for (int i = 0; i < ops.size(); i++) {
        String op = ops.get(i).asText();
        if (pathLike(op) || op.contains("file=") || op.strip().startsWith("logo")) {
          throw new BadRequestException(
              kind
                  + " spec field 'ops["
                  + i
                  + "]': expected a basemap operation that reads no file, found '"
                  + op
                  + "'");
        }
      }
    }
    for (Upload u : kind.equals("recipe") ? RECIPE_UPLOADS : SWEEP_UPLOADS) {
      JsonNode path = s.get(u.path());
      if (path != null && !path.isNull()) {
        throw new BadRequestException(
            kind
                + " spec field '"
                + u.path()
                + "': the server reads no file a client names; expected the picture's bytes in "
                + u.data()
                + " (base64) or a gallery image id in "
                + u.image()
                + ", found a path");
      }
      byte[] bytes = bytes(kind, s, u);
      if (bytes != null) {
        Path file = store(kind, u.data(), bytes);
        saved.add(file);
        s.put(u.path(), file.toString());
      }
    }
  }

  /** The recipe must be one of the catalogue's names: never a file. */
  private void requireRecipe(String kind, String recipe) {
    List<String> names = new ArrayList<>();
    for (Recipe r : CraftSources.recipes(studio.home()).all()) {
      names.add(r.name());
    }
    if (recipe == null || !NAME.matcher(recipe).matches() || !names.contains(recipe)) {
      throw new BadRequestException(
          kind
              + " spec field 'recipe': expected a recipe name, one of "
              + names
              + ", found "
              + (recipe == null ? "none" : "'" + recipe + "'"));
    }
  }

  /**
   * {@code sets} may set parameters and generate/upscale/select settings, but no basemap chain (its
   * operations can read files: {@code logo:file=…}), no {@code input} parameter (a logo file) and
   * no value that looks like a path.
   */
  private static void checkSets(String kind, JsonNode sets) {
    if (sets == null || !sets.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = sets.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      String field = kind + " spec field 'sets." + key + "'";
      if (key.equals("basemap") || key.startsWith("basemap.") || key.equals("input")) {
        throw new BadRequestException(
            field
                + ": expected a recipe parameter or a generate, upscale or select setting, found "
                + (key.equals("input")
                    ? "a file parameter (send the picture as inputData or inputImage)"
                    : "a basemap override (its operations can read server files)"));
      }
      String value = e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString();
      if (pathLike(value)) {
        throw new BadRequestException(field + ": expected a value, found a path '" + value + "'");
      }
    }
  }

  /** A spec's LoRAs are installed names ({@code loras/NAME.safetensors}), never files. */
  static void checkLoras(String kind, JsonNode loras) {
    if (loras == null || !loras.isArray()) {
      return;
    }
    for (int i = 0; i < loras.size(); i++) {
      String name = loras.get(i).path("name").asText("");
      if (pathLike(name) || name.toLowerCase(java.util.Locale.ROOT).endsWith(".safetensors")) {
        throw new BadRequestException(
            kind
                + " spec field 'loras["
                + i
                + "].name': expected an installed LoRA's name (atelier models import FILE --kind"
                + " lora), found a file '"
                + name
                + "'");
      }
    }
  }

  /**
   * A {@code <lora:NAME:W>} tag anywhere in a spec's text (prompts, sweep axes, recipe values)
   * names an installed LoRA, never a file: {@code LoraStore.resolve} would read a file of that name
   * relative to the server's working folder.
   */
  static void checkLoraTags(String kind, JsonNode node, String field) {
    if (node == null) {
      return;
    }
    if (node.isTextual()) {
      for (LoraTags.Tag tag : LoraTags.find(node.asText())) {
        String name = tag.name();
        if (pathLike(name) || name.toLowerCase(java.util.Locale.ROOT).endsWith(".safetensors")) {
          throw new BadRequestException(
              kind
                  + " spec field '"
                  + field
                  + "': expected <lora:NAME:W> naming an installed LoRA (atelier models import"
                  + " FILE --kind lora), found a file '"
                  + name
                  + "'");
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkLoraTags(kind, node.get(i), field + "[" + i + "]");
      }
    } else if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var e = fields.next();
        checkLoraTags(kind, e.getValue(), field.isEmpty() ? e.getKey() : field + "." + e.getKey());
      }
    }
  }

  /** Whether a value could name a file: a separator, a home folder, a parent folder. */
  static boolean pathLike(String v) {
    return v.contains("/") || v.contains("\\") || v.startsWith("~") || v.contains("..");
  }

  /** The scorers of a generate spec are names (technical, clip, quality:NAME), never paths. */
  static void checkScorers(String kind, JsonNode scorers) {
    if (scorers == null || !scorers.isArray()) {
      return;
    }
    for (int i = 0; i < scorers.size(); i++) {
      String v = scorers.get(i).asText();
      if (pathLike(v) || v.endsWith(".tribuo") || v.endsWith(".onnx")) {
        throw new BadRequestException(
            kind
                + " spec field 'scorers["
                + i
                + "]': expected a scorer name (technical, clip, aesthetic, quality:NAME), found a"
                + " path '"
                + v
                + "'");
      }
    }
  }

  private byte[] bytes(String kind, ObjectNode s, Upload u) {
    JsonNode data = s.remove(u.data());
    JsonNode image = s.remove(u.image());
    boolean hasData = data != null && !data.isNull();
    boolean hasImage = image != null && !image.isNull();
    if (hasData && hasImage) {
      throw new BadRequestException(
          kind
              + " spec fields '"
              + u.data()
              + "' and '"
              + u.image()
              + "': expected one picture, found both");
    }
    if (hasData) {
      try {
        return Base64.getMimeDecoder().decode(data.asText());
      } catch (IllegalArgumentException e) {
        throw new BadRequestException(
            kind + " spec field '" + u.data() + "': expected base64 text, found " + e.getMessage());
      }
    }
    if (hasImage) {
      ImageRow row =
          studio
              .queue()
              .image(image.asText())
              .orElseThrow(
                  () ->
                      new BadRequestException(
                          kind
                              + " spec field '"
                              + u.image()
                              + "': expected the id of a gallery image, found '"
                              + image.asText()
                              + "'"));
      try {
        return Files.readAllBytes(studio.file(row));
      } catch (IOException e) {
        throw new BadRequestException(
            kind
                + " spec field '"
                + u.image()
                + "': expected an image with its file, found it gone");
      }
    }
    return null;
  }

  /** Stores an upload under a random name whose extension follows its content. */
  private Path store(String kind, String field, byte[] bytes) {
    String ext = extension(bytes);
    if (ext == null) {
      throw new BadRequestException(
          kind
              + " spec field '"
              + field
              + "': expected a PNG, JPEG, BMP or GIF image, found other bytes");
    }
    try {
      Files.createDirectories(uploads);
      Path file = uploads.resolve(UUID.randomUUID() + "." + ext);
      Path part = uploads.resolve("." + file.getFileName() + ".part");
      Files.write(part, bytes);
      Files.move(part, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("storing an uploaded picture in " + uploads + " failed", e);
    }
  }

  private static String extension(byte[] b) {
    if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "png";
    }
    if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
      return "jpg";
    }
    if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
      return "bmp";
    }
    if (b.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
      return "gif";
    }
    return null;
  }

  /** Removes uploads of a submission that was refused. */
  static void discard(List<Path> saved) {
    for (Path p : saved) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // an orphaned upload only costs disk space
      }
    }
  }
}

package atelier.upscale;

import atelier.AtelierHome;
import atelier.BadRequestException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The installed upscalers: one folder per model under {@code <home>/models/upscalers/}, each with
 * {@code model.onnx} and usually {@code upscaler.json}. Resolves what {@code --model} names: a
 * path, an exact id ({@code esrgan-slim-x4}), or a family ({@code esrgan-slim}) completed with the
 * wanted scale. Reads the disk on each call; safe to share.
 */
public final class UpscalerStore {
  /**
   * Families tried, in order, when no model is named: esrgan-thick first, the one that beats
   * bicubic on real photos at ×4 (docs/upscale.md), then the faster ones.
   */
  public static final List<String> DEFAULT_FAMILIES =
      List.of("esrgan-thick", "esrgan-medium", "esrgan-slim");

  /** The model store's manifest file (written by {@code atelier models pull/import}). */
  private static final String MANIFEST = ".atelier-manifest.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path folder;

  /** A store at {@code folder}. */
  public UpscalerStore(Path folder) {
    this.folder = folder;
  }

  /** The upscalers in an Atelier home's model store: {@code <home>/models}. */
  public static UpscalerStore of(AtelierHome home) {
    return new UpscalerStore(home.models());
  }

  /** The store's folder. */
  public Path folder() {
    return folder;
  }

  /** Imports an UpscalerJS package (tarball or folder) into this store. */
  public List<UpscalerPackage.Imported> importPackage(Path folderOrTgz) {
    return UpscalerPackage.importFrom(folderOrTgz, folder);
  }

  /** The installed models' ids, sorted. */
  public List<String> ids() {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(UpscalerStore::isUpscaler)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + folder + " failed", e);
    }
  }

  /**
   * The folder or file of the upscaler {@code name} names for {@code scale}.
   *
   * @param name a path to a folder or {@code .onnx} file, an installed id, a family whose {@code
   *     -x<scale>} member is installed, or null for the first installed of {@link
   *     #DEFAULT_FAMILIES} at that scale (else any installed model of that scale)
   * @throws BadRequestException naming what is installed when nothing matches
   */
  public Path resolve(String name, int scale) {
    if (name != null) {
      Path p = Path.of(name);
      if (Files.exists(p) && (Files.isDirectory(p) || name.endsWith(".onnx"))) {
        return p;
      }
      for (String id : List.of(name, name + "-x" + scale)) {
        if (ids().contains(id)) {
          return folder.resolve(id);
        }
      }
      throw new BadRequestException(
          "upscaler: expected a model folder, an .onnx file or an installed id, found '"
              + name
              + "'; installed in "
              + folder
              + ": "
              + (ids().isEmpty() ? "none" : String.join(", ", ids())));
    }
    Optional<String> found =
        DEFAULT_FAMILIES.stream()
            .map(f -> f + "-x" + scale)
            .filter(ids()::contains)
            .findFirst()
            .or(() -> ids().stream().filter(id -> id.endsWith("-x" + scale)).findFirst())
            .or(() -> largestScale());
    return folder.resolve(
        found.orElseThrow(
            () ->
                new BadRequestException(
                    "upscaler: expected an installed upscaler in "
                        + folder
                        + ", found none; install one with 'atelier models pull"
                        + " upscalerjs-esrgan-thick' (or import an UpscalerJS npm tarball with"
                        + " 'atelier models import FILE'), or give --model DIR|FILE.onnx")));
  }

  private static boolean isUpscaler(Path dir) {
    if (!Files.isRegularFile(dir.resolve("model.onnx"))) {
      return false;
    }
    if (Files.isRegularFile(dir.resolve(UpscalerInfo.FILE))) {
      return true;
    }
    Path manifest = dir.resolve(MANIFEST);
    try {
      return Files.isRegularFile(manifest)
          && JSON.readTree(manifest.toFile()).path("kind").asText("").equals("upscaler");
    } catch (IOException e) {
      return false; // an unreadable manifest: the store reports it; it is not an upscaler here
    }
  }

  /**
   * Without one of the wanted scale, the installed model with the largest scale (fewest passes).
   */
  private Optional<String> largestScale() {
    List<String> ids = new ArrayList<>(ids());
    ids.sort(Comparator.comparingInt(UpscalerStore::scaleOf));
    return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(ids.size() - 1));
  }

  private static int scaleOf(String id) {
    int x = id.lastIndexOf("-x");
    try {
      return x < 0 ? 0 : Integer.parseInt(id.substring(x + 2));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}

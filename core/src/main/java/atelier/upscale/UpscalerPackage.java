package atelier.upscale;

import atelier.ModelLoadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * An UpscalerJS model package ({@code @upscalerjs/esrgan-slim}, {@code -medium}, {@code -thick}):
 * TensorFlow.js layers models under {@code models/x<N>/}, a test image {@code assets/fixture.png}
 * and the package's own results {@code assets/samples/<N>x/result.png}. Read from the npm tarball
 * or its unpacked folder, and imported as ONNX upscalers.
 *
 * <p>The value range comes from the package's model definition: UpscalerJS feeds its RDN models
 * (slim, medium) pixels in [0, 255] and its RRDN model (thick) [0, 1]. Immutable; holds the files
 * it needs in memory.
 */
public final class UpscalerPackage {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern MODEL = Pattern.compile("models/x(\\d+)/model\\.json");
  private static final Pattern ARCHITECTURE =
      Pattern.compile("architecture\\s*:\\s*[\"'](\\w+)[\"']");

  private final Path origin;
  private final Map<String, byte[]> files;
  private final String name;
  private final String version;
  private final String license;
  private final String architecture;
  private final String architectureSource;

  private UpscalerPackage(Path origin, Map<String, byte[]> files) {
    this.origin = origin;
    this.files = files;
    byte[] pkg = files.get("package.json");
    if (pkg == null) {
      throw new ModelLoadException(
          origin
              + ": expected an npm package (package.json), found "
              + files.keySet().size()
              + " other files");
    }
    try {
      JsonNode p = JSON.readTree(pkg);
      this.name = p.path("name").asText();
      this.version = p.path("version").asText();
      this.license = p.path("license").asText("");
    } catch (IOException e) {
      throw new ModelLoadException(origin + ": package.json is not valid JSON: " + e.getMessage());
    }
    if (scales().isEmpty()) {
      throw new ModelLoadException(
          origin
              + " ("
              + name
              + "): expected TensorFlow.js models at models/x<N>/model.json, found none");
    }
    String declared = null;
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      if (e.getKey().endsWith(".js")) {
        Matcher m = ARCHITECTURE.matcher(new String(e.getValue(), StandardCharsets.UTF_8));
        if (m.find()) {
          declared = m.group(1);
          break;
        }
      }
    }
    this.architecture = declared;
    this.architectureSource = declared != null ? "package model definition" : null;
  }

  /**
   * Reads a package: its {@code .tgz} (as {@code npm pack} or the registry gives it) or the
   * unpacked folder (the one with {@code package.json}, or the one holding {@code package/}).
   *
   * @throws ModelLoadException when it is not an UpscalerJS model package
   */
  public static UpscalerPackage open(Path folderOrTgz) {
    try {
      if (Files.isRegularFile(folderOrTgz)) {
        Map<String, byte[]> raw = TarGz.read(folderOrTgz, UpscalerPackage::wanted);
        Map<String, byte[]> files = new TreeMap<>();
        raw.forEach(
            (k, v) -> {
              int slash = k.indexOf('/');
              files.put(slash < 0 ? k : k.substring(slash + 1), v); // npm's "package/" prefix
            });
        return new UpscalerPackage(folderOrTgz, files);
      }
      Path root = folderOrTgz;
      if (!Files.isRegularFile(root.resolve("package.json"))
          && Files.isRegularFile(root.resolve("package/package.json"))) {
        root = root.resolve("package");
      }
      if (!Files.isDirectory(root)) {
        throw new ModelLoadException(
            "upscaler package: expected a .tgz file or a folder at "
                + folderOrTgz
                + ", found nothing");
      }
      Map<String, byte[]> files = new TreeMap<>();
      Path base = root;
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          String rel = base.relativize(p).toString().replace('\\', '/');
          if (Files.isRegularFile(p) && wanted("package/" + rel)) {
            files.put(rel, Files.readAllBytes(p));
          }
        }
      }
      return new UpscalerPackage(folderOrTgz, files);
    } catch (IOException e) {
      throw new ModelLoadException(
          "upscaler package " + folderOrTgz + ": could not be read: " + e.getMessage(), e);
    }
  }

  /** Files an import needs (paths with the npm "package/" prefix); the rest is skipped. */
  private static boolean wanted(String path) {
    int slash = path.indexOf('/');
    String rel = slash < 0 ? path : path.substring(slash + 1);
    return rel.equals("package.json")
        || rel.equals("LICENSE")
        || rel.startsWith("models/")
        || rel.startsWith("assets/")
        || rel.endsWith("getModelDefinition.js");
  }

  /** The npm package name, e.g. {@code @upscalerjs/esrgan-slim}. */
  public String name() {
    return name;
  }

  /** The package version. */
  public String version() {
    return version;
  }

  /** The scales the package has models for, ascending. */
  public List<Integer> scales() {
    List<Integer> s = new ArrayList<>();
    for (String f : files.keySet()) {
      Matcher m = MODEL.matcher(f);
      if (m.matches()) {
        s.add(Integer.parseInt(m.group(1)));
      }
    }
    s.sort(Comparator.naturalOrder());
    return s;
  }

  /** The id of the model for {@code scale}: the package's short name and the scale. */
  public String id(int scale) {
    String base = name.contains("/") ? name.substring(name.indexOf('/') + 1) : name;
    return base + "-x" + scale;
  }

  /** The TensorFlow.js model for {@code scale}. */
  public TfjsLayersModel model(int scale) {
    String dir = "models/x" + scale + "/";
    byte[] json = files.get(dir + "model.json");
    if (json == null) {
      throw new ModelLoadException(
          origin + " (" + name + "): expected a model for ×" + scale + ", found only " + scales());
    }
    return TfjsLayersModel.parse(
        json,
        rel -> {
          byte[] b = files.get(dir + rel);
          if (b == null) {
            throw new ModelLoadException(
                origin
                    + " ("
                    + name
                    + "): expected the weight shard "
                    + dir
                    + rel
                    + ", found none");
          }
          return b;
        },
        name + "@" + version + "/" + dir + "model.json");
  }

  /**
   * The input range UpscalerJS uses for this package: 255 for RDN, 1 for RRDN. When the package's
   * model definition does not say, the layers decide: UpscalerJS's custom layers belong to RRDN.
   */
  public float inputRange(TfjsLayersModel model) {
    String arch = architecture(model);
    return arch.equals("rdn") ? 255f : 1f;
  }

  private String architecture(TfjsLayersModel model) {
    if (architecture != null) {
      return architecture;
    }
    Map<String, Integer> counts = model.layerCounts();
    boolean custom =
        counts.containsKey("MultiplyBeta")
            || counts.keySet().stream().anyMatch(k -> k.startsWith("PixelShuffle"));
    return custom ? "rrdn" : "rdn";
  }

  /** The package's test input, when it ships one. */
  public Optional<BufferedImage> fixture() {
    return image("assets/fixture.png");
  }

  /** The package's own result of upscaling {@link #fixture()} by {@code scale}, when shipped. */
  public Optional<BufferedImage> sample(int scale) {
    return image("assets/samples/" + scale + "x/result.png");
  }

  private Optional<BufferedImage> image(String path) {
    byte[] b = files.get(path);
    if (b == null) {
      return Optional.empty();
    }
    try {
      // in memory: ImageIO's default disk cache would leave imageio*.tmp files behind a kill -9
      return Optional.ofNullable(
          ImageIO.read(
              new javax.imageio.stream.MemoryCacheImageInputStream(new ByteArrayInputStream(b))));
    } catch (IOException e) {
      throw new ModelLoadException(origin + ": " + path + " is not a readable image", e);
    }
  }

  /** Converts the model for {@code scale} to ONNX, with its record. */
  public Conversion convert(int scale) {
    TfjsLayersModel model = model(scale);
    float range = inputRange(model);
    LayersToOnnx.Converted c = LayersToOnnx.convert(model, range, id(scale));
    if (c.scale() != scale) {
      throw new ModelLoadException(
          model.origin()
              + ": expected a ×"
              + scale
              + " model, found the layers upscale ×"
              + c.scale());
    }
    UpscalerInfo info =
        new UpscalerInfo(
            id(scale),
            name,
            version,
            name + "@" + version + " models/x" + scale + "/model.json",
            license,
            architecture(model) + (architectureSource == null ? " (inferred from the layers)" : ""),
            scale,
            range,
            c.peakFloatsPerPixel());
    return new Conversion(info, c.model());
  }

  /** One converted model: its record and ONNX bytes. */
  public record Conversion(UpscalerInfo info, byte[] onnx) {}

  /**
   * Imports every model of a package into {@code destination}: one folder per scale, named by
   * {@link #id(int)}, holding {@code model.onnx} and {@code upscaler.json}. Existing folders of the
   * same ids are replaced; each folder is written beside and then moved into place.
   *
   * @param folderOrTgz the package tarball or unpacked folder
   * @param destination the upscaler store, e.g. {@code <home>/models/upscalers}
   * @return the imported models, by ascending scale
   * @throws ModelLoadException when the package cannot be read or converted
   */
  public static List<Imported> importFrom(Path folderOrTgz, Path destination) {
    UpscalerPackage pkg = open(folderOrTgz);
    List<Imported> out = new ArrayList<>();
    try {
      Files.createDirectories(destination);
      for (int scale : pkg.scales()) {
        Conversion c = pkg.convert(scale);
        Path target = destination.resolve(c.info().id());
        // A plain folder (not createTempDirectory's owner-only one), renamed into place.
        Path tmp =
            Files.createDirectory(
                destination.resolve("." + c.info().id() + "-" + System.nanoTime()));
        try {
          Files.write(tmp.resolve("model.onnx"), c.onnx());
          c.info().write(tmp);
          deleteTree(target);
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          deleteTree(tmp);
        }
        out.add(new Imported(c.info(), target));
      }
    } catch (IOException e) {
      throw new ModelLoadException(
          "importing " + folderOrTgz + " into " + destination + " failed: " + e.getMessage(), e);
    }
    return out;
  }

  /** One imported model and its folder. */
  public record Imported(UpscalerInfo info, Path folder) {}

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  @Override
  public String toString() {
    return name + "@" + version + " " + scales() + " from " + origin;
  }
}

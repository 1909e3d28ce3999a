package atelier.model;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.model.lora.OnnxWeights;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code atelier models optimize ID --int8}: writes a new model folder in the store whose UNet's
 * MatMul weights are int8 ({@link Int8Quantizer}); every other file of the source model is hard
 * linked into it (copied where the file system cannot link), so the variant costs only its new UNet
 * on disk. The source model is never changed. The variant is registered with a manifest whose
 * origin names the source, the method and the date ({@link ModelManifest.Variant}); it is written
 * in a staging folder and moved into place only after {@code check} loaded it, so a failure (a full
 * disk, a cancel) leaves nothing behind. Stateless.
 */
public final class Int8Variant {
  /** The method recorded in the manifest. */
  public static final String METHOD = "int8-dynamic-matmul";

  /** The stage that is quantised; the text encoder runs once per image and is left in float32. */
  public static final String STAGE = "unet";

  private Int8Variant() {}

  /**
   * The installed variant and what was done.
   *
   * @param manifest the new model's manifest
   * @param report the UNet's rewrite
   * @param hardLinked whether the other files were hard linked (else copied)
   */
  public record Result(ModelManifest manifest, Int8Quantizer.Report report, boolean hardLinked) {}

  /** The default id of the int8 variant of {@code source}. */
  public static String defaultId(String source) {
    String suffix = "-int8";
    return (source.length() + suffix.length() > 64
            ? source.substring(0, 64 - suffix.length())
            : source)
        + suffix;
  }

  /**
   * Writes and installs the int8 variant of an installed pipeline model.
   *
   * @param id the new model's id, or null for {@link #defaultId}
   * @param replace whether an installed model with that id may be replaced
   * @param check loads the written folder as {@code generate} would
   * @throws BadRequestException when the source is not installed, not a pipeline, already int8 or
   *     has nothing to quantise, or the id is taken — all before anything is written
   * @throws atelier.ModelLoadException when the source is damaged or writing fails
   */
  public static Result create(
      ModelStore store,
      String sourceId,
      String id,
      boolean replace,
      Consumer<Path> check,
      DownloadListener listener,
      CancelToken cancel) {
    String newId = id != null ? id : defaultId(sourceId);
    store.folder(newId);
    if (store.find(sourceId).isEmpty()) {
      throw new BadRequestException(
          "models optimize: model "
              + sourceId
              + ": expected an installed model id (see atelier models list), found none in "
              + store.root());
    }
    Path source = store.requireReady(sourceId);
    ModelManifest sm = store.manifest(sourceId).orElseThrow();
    if (sm.kind() != ModelKind.PIPELINE) {
      throw new BadRequestException(
          "models optimize: model "
              + sourceId
              + ": expected a pipeline model, found a "
              + sm.kind().id()
              + " model");
    }
    if (sm.origin().variant() != null && METHOD.equals(sm.origin().variant().method())) {
      throw new BadRequestException(
          "models optimize: model "
              + sourceId
              + " is already the int8 variant of "
              + sm.origin().variant().source()
              + "; expected a float32 model");
    }
    if (newId.equals(sourceId)) {
      throw new BadRequestException(
          "--id " + newId + ": expected an id other than the source model's, found the same");
    }
    Path unet = ModelFolder.open(source).graph(STAGE);
    Int8Quantizer.Scan scan = Int8Quantizer.scan(unet);
    if (scan.alreadyQuantized() > 0) {
      throw new BadRequestException(
          "models optimize: model "
              + sourceId
              + ": the UNet is already quantised ("
              + scan.alreadyQuantized()
              + " integer MatMul nodes); expected a float32 UNet");
    }
    if (scan.eligible() == 0) {
      throw new BadRequestException(
          "models optimize: model "
              + sourceId
              + ": expected MatMul nodes with float32 weights in the UNet, found "
              + scan.matMuls()
              + " MatMul nodes and none with a float32 weight"
              + (scan.float16() ? " (a float16 export: int8 needs a float32 one)" : ""));
    }
    if (!replace && store.find(newId).isPresent()) {
      throw new BadRequestException(
          "models optimize: model "
              + newId
              + " is already installed; pass --replace, or choose another --id");
    }
    Set<Path> rewritten = graphFiles(unet);
    long started = System.nanoTime();
    Int8Quantizer.Report[] report = new Int8Quantizer.Report[1];
    boolean[] linked = {true};
    ModelManifest.Variant[] variant = new ModelManifest.Variant[1];
    ModelManifest m =
        store.installConverted(
            newId,
            ModelKind.PIPELINE,
            sm.name() + " (int8)",
            ModelManifest.Origin.variant(
                new ModelManifest.Variant(
                    sourceId,
                    METHOD,
                    Instant.now().toString(),
                    List.of(STAGE),
                    scan.eligible(),
                    "hard-linked")),
            replace,
            staging -> {
              try {
                return write(
                    source, staging, unet, rewritten, newId, started, report, linked, listener,
                    cancel);
              } catch (IOException e) {
                throw new BadRequestException(
                    "models optimize "
                        + sourceId
                        + " --int8: writing "
                        + newId
                        + " into "
                        + store.root()
                        + " failed: "
                        + e.getMessage()
                        + " (nothing was installed)",
                    e);
              }
            },
            check);
    if (!linked[0]) {
      variant[0] =
          new ModelManifest.Variant(
              sourceId,
              METHOD,
              Instant.now().toString(),
              List.of(STAGE),
              report[0].quantized(),
              "copied");
    }
    if (variant[0] != null) {
      m =
          new ModelManifest(
              m.id(),
              m.kind(),
              m.name(),
              ModelManifest.Origin.variant(variant[0]),
              m.files(),
              m.complete(),
              m.problem(),
              m.updated(),
              m.atelierVersion());
      m.write(store.folder(newId));
    }
    listener.onProgress(
        new DownloadProgress(DownloadProgress.Phase.DONE, newId, null, 0, 1, 0, 0, 0, 0, 0, null));
    return new Result(m, report[0], linked[0]);
  }

  /** Fills the staging folder: the other files linked, the UNet quantised; every file hashed. */
  private static List<ModelManifest.FileRecord> write(
      Path source,
      Path staging,
      Path unet,
      Set<Path> rewritten,
      String newId,
      long started,
      Int8Quantizer.Report[] report,
      boolean[] linked,
      DownloadListener listener,
      CancelToken cancel)
      throws IOException {
    List<ModelManifest.FileRecord> records = new ArrayList<>();
    linked[0] = linkOthers(source, staging, rewritten, records, cancel);
    Path target = staging.resolve(STAGE).resolve("model.onnx");
    Files.createDirectories(target.getParent());
    report[0] =
        Int8Quantizer.quantize(
            unet,
            target,
            (done, total) -> listener.onProgress(progress(newId, done, total, started)),
            cancel);
    records.add(record(staging, target));
    records.add(record(staging, target.resolveSibling(report[0].dataFile())));
    records.sort((a, b) -> a.path().compareTo(b.path()));
    return records;
  }

  /** The graph file and the external-data files its initializers live in. */
  private static Set<Path> graphFiles(Path graph) {
    Set<Path> out = new HashSet<>();
    out.add(graph.toAbsolutePath().normalize());
    for (OnnxWeights.Initializer i : OnnxWeights.read(graph).initializers().values()) {
      out.add(i.file().toAbsolutePath().normalize());
    }
    return out;
  }

  /**
   * Hard links (or copies) every non-hidden file of {@code source} but {@code skip} into {@code
   * staging}, hashing each; returns whether every file could be linked.
   */
  private static boolean linkOthers(
      Path source,
      Path staging,
      Set<Path> skip,
      List<ModelManifest.FileRecord> records,
      CancelToken cancel)
      throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(source)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .filter(p -> !skip.contains(p.toAbsolutePath().normalize()))
              .sorted()
              .toList();
    }
    boolean linked = true;
    for (Path f : files) {
      cancel.check();
      String rel = source.relativize(f).toString().replace('\\', '/');
      Path target = staging.resolve(rel);
      Files.createDirectories(target.getParent());
      try {
        Files.createLink(target, f.toRealPath());
      } catch (UnsupportedOperationException | FileSystemException e) {
        linked = false;
        Files.copy(f.toRealPath(), target, StandardCopyOption.COPY_ATTRIBUTES);
      }
      records.add(record(staging, target));
    }
    return linked;
  }

  private static ModelManifest.FileRecord record(Path staging, Path file) throws IOException {
    String rel = staging.relativize(file).toString().replace('\\', '/');
    return new ModelManifest.FileRecord(
        rel,
        Files.size(file),
        ModelStore.hash(file, b -> {}, CancelToken.NONE),
        "variant",
        ModelStore.mtime(file));
  }

  private static DownloadProgress progress(String id, long done, long total, long started) {
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    double rate = done / seconds;
    java.time.Duration eta =
        rate > 0 && total >= done
            ? java.time.Duration.ofSeconds((long) ((total - done) / rate))
            : null;
    return new DownloadProgress(
        DownloadProgress.Phase.DOWNLOADING,
        id,
        "writing unet",
        0,
        1,
        done,
        total,
        done,
        total,
        rate,
        eta);
  }
}

package atelier.model.checkpoint;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ModelLoadException;
import atelier.model.CatalogEntry;
import atelier.model.DownloadListener;
import atelier.model.DownloadProgress;
import atelier.model.ModelKind;
import atelier.model.ModelManifest;
import atelier.model.ModelStore;
import atelier.model.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code atelier models import FILE.safetensors}: checks a single-file checkpoint, converts it into
 * an ONNX model folder (Optimum layout, float32, external weights) in a staging folder of the
 * store, checks the result loads, and installs it with a manifest that records the conversion.
 *
 * <p>Nothing is written before the checkpoint's keys and shapes are known to fit; a failure while
 * writing (a full disk, a cancel) leaves nothing in the store. Stateless.
 */
public final class CheckpointImport {
  private CheckpointImport() {}

  /**
   * What to import.
   *
   * @param file the checkpoint
   * @param id the store id, or null for one made from the file name
   * @param family sd1, sd2 or sd2-v, or null to tell it from the file
   * @param vae a VAE file whose weights replace the checkpoint's, or null
   * @param replace whether an installed model with the same id may be replaced
   */
  public record Request(Path file, String id, String family, Path vae, boolean replace) {}

  /**
   * The installed model and how the checkpoint was read.
   *
   * @param manifest the store manifest
   * @param plan the conversion plan (its files are closed)
   */
  public record Result(ModelManifest manifest, ConversionPlan plan) {}

  /**
   * Whether {@code atelier models import} converts this path: a single-file checkpoint (a {@code
   * .safetensors} or {@code .ckpt} file) or a diffusers-format folder of weights ({@link
   * DiffusersFolder#isDiffusers}).
   */
  public static boolean converts(Path path) {
    return isCheckpoint(path) || DiffusersFolder.isDiffusers(path);
  }

  /**
   * Whether a path names a single-file checkpoint (a {@code .safetensors} or {@code .ckpt} file).
   */
  public static boolean isCheckpoint(Path path) {
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    return !Files.isDirectory(path) && (lower.endsWith(".safetensors") || lower.endsWith(".ckpt"));
  }

  /**
   * Converts and installs a checkpoint.
   *
   * @param check validates the converted folder (loads it as {@code generate} would)
   * @throws BadRequestException for a file that is not a usable checkpoint, before anything is
   *     written
   */
  public static Result run(
      ModelStore store,
      Request request,
      Consumer<Path> check,
      DownloadListener listener,
      CancelToken cancel) {
    Path file = request.file();
    if (DiffusersFolder.isDiffusers(file)) {
      return runFolder(store, request, check, listener, cancel);
    }
    String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (lower.endsWith(".ckpt")) {
      throw new BadRequestException(
          file
              + ": a pickled PyTorch checkpoint, which can run code when loaded; expected a"
              + " .safetensors file, found .ckpt (most model sites offer one; or convert it with a"
              + " trusted tool)");
    }
    String id =
        request.id() != null
            ? request.id()
            : ModelStore.idFor(CheckpointPlan.beside(file, "").toAbsolutePath());
    store.folder(id); // checks the id before the long work
    try (SafeTensors checkpoint = SafeTensors.open(file);
        SafeTensors vae = request.vae() == null ? null : SafeTensors.open(request.vae())) {
      CheckpointPlan plan =
          CheckpointPlan.inspect(checkpoint, vae, request.family(), CheckpointTemplate.available());
      refuseInstalled(store, request, id);
      String sha = hash(file, id, listener, cancel);
      String vaeSha = vae == null ? null : hash(request.vae(), id, listener, cancel);
      return install(
          store,
          request,
          id,
          plan,
          sha,
          vae == null ? null : request.vae().getFileName().toString(),
          vaeSha,
          new Check(check, listener, cancel, null, null));
    }
  }

  /** A diffusers-format folder: same templates, weights found by their diffusers names. */
  private static Result runFolder(
      ModelStore store,
      Request request,
      Consumer<Path> check,
      DownloadListener listener,
      CancelToken cancel) {
    Path dir = request.file();
    if (request.vae() != null) {
      throw new BadRequestException(
          "--vae "
              + request.vae()
              + ": "
              + dir
              + " is a diffusers folder, which brings its own vae/; expected no --vae for a"
              + " folder, found one (replace the folder's vae/ instead)");
    }
    String id = request.id() != null ? request.id() : ModelStore.idFor(dir.toAbsolutePath());
    store.folder(id);
    try (DiffusersFolder folder = DiffusersFolder.open(dir)) {
      DiffusersFolder.Plan plan = folder.plan(request.family(), CheckpointTemplate.available());
      refuseInstalled(store, request, id);
      return install(
          store,
          request,
          id,
          plan,
          hashFolder(folder, id, listener, cancel),
          null,
          null,
          new Check(check, listener, cancel, null, null));
    }
  }

  /**
   * Converts a checkpoint that a catalog entry names, just downloaded by {@code models pull}, and
   * installs it as the entry's id (replacing what is there), with the hub origin and the conversion
   * recorded.
   *
   * @param sha256 the file's SHA-256, computed while downloading
   * @throws ModelLoadException when the file is not a checkpoint of the entry's family (the catalog
   *     entry is wrong, not the user's request)
   */
  public static ModelManifest pulled(
      ModelStore store,
      Path file,
      CatalogEntry entry,
      ModelManifest.Origin origin,
      String sha256,
      Consumer<Path> check,
      DownloadListener listener,
      CancelToken cancel) {
    Request request = new Request(file, entry.id(), entry.family(), null, true);
    try (SafeTensors checkpoint = SafeTensors.open(file)) {
      CheckpointPlan plan;
      try {
        plan =
            CheckpointPlan.inspect(
                checkpoint, null, entry.family(), CheckpointTemplate.available());
      } catch (BadRequestException e) {
        throw new ModelLoadException(
            "model "
                + entry.id()
                + ": the catalog's checkpoint "
                + entry.files().get(0).path()
                + " cannot be converted: "
                + e.getMessage(),
            e);
      }
      return install(
              store,
              request,
              entry.id(),
              plan,
              sha256,
              null,
              null,
              new Check(check, listener, cancel, origin, entry.name()))
          .manifest();
    } catch (BadRequestException e) {
      throw new ModelLoadException(
          "model " + entry.id() + ": the downloaded file is not usable: " + e.getMessage(), e);
    }
  }

  /** How an installed conversion is checked, reported and recorded. */
  private record Check(
      Consumer<Path> loads,
      DownloadListener listener,
      CancelToken cancel,
      ModelManifest.Origin origin,
      String name) {}

  private static void refuseInstalled(ModelStore store, Request request, String id) {
    if (!request.replace() && store.find(id).isPresent()) {
      throw new BadRequestException(
          "import: model " + id + " is already installed; pass --replace, or choose another --id");
    }
  }

  private static Result install(
      ModelStore store,
      Request request,
      String id,
      ConversionPlan plan,
      String sha,
      String vaeName,
      String vaeSha,
      Check check) {
    Path file = request.file();
    ModelManifest.Conversion conversion =
        new ModelManifest.Conversion(
            file.getFileName().toString(),
            sha,
            plan.family().id(),
            plan.familySource(),
            plan.template().arch(),
            plan.used(),
            plan.ignored(),
            plan.unused(),
            vaeName,
            vaeSha);
    long started = System.nanoTime();
    DownloadListener listener = check.listener();
    CancelToken cancel = check.cancel();
    ModelManifest m =
        store.installConverted(
            id,
            ModelKind.PIPELINE,
            check.name() != null ? check.name() : file.getFileName().toString(),
            check.origin() != null
                ? check.origin().withConversion(conversion)
                : ModelManifest.Origin.converted(file, conversion),
            request.replace(),
            staging ->
                CheckpointConverter.write(
                    plan,
                    staging,
                    (rel, bytes, total) ->
                        listener.onProgress(
                            progress(
                                DownloadProgress.Phase.CONVERTING, id, rel, bytes, total, started)),
                    cancel),
            check.loads());
    listener.onProgress(
        progress(
            DownloadProgress.Phase.DONE,
            id,
            null,
            plan.template().dataBytes(),
            plan.template().dataBytes(),
            started));
    return new Result(m, plan);
  }

  /**
   * The source hash of a folder: the SHA-256 of its weight files' listing in {@code sha256sum} form
   * ({@code <sha256> <path>} lines, paths relative to the folder, in component order).
   */
  private static String hashFolder(
      DiffusersFolder folder, String id, DownloadListener listener, CancelToken cancel) {
    StringBuilder listing = new StringBuilder();
    for (Path f : folder.weightFiles()) {
      listing
          .append(hash(f, id, listener, cancel))
          .append("  ")
          .append(folder.dir().relativize(f).toString().replace('\\', '/'))
          .append('\n');
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(listing.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static String hash(Path file, String id, DownloadListener listener, CancelToken cancel) {
    MessageDigest d;
    try {
      d = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    long started = System.nanoTime();
    try (InputStream in = Files.newInputStream(file)) {
      long total = Files.size(file);
      byte[] buf = new byte[1 << 20];
      long done = 0;
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        d.update(buf, 0, n);
        done += n;
        cancel.check();
        listener.onProgress(
            progress(
                DownloadProgress.Phase.CHECKING,
                id,
                file.getFileName().toString(),
                done,
                total,
                started));
      }
    } catch (IOException e) {
      throw new BadRequestException(file + ": cannot be read (" + e.getMessage() + ")", e);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static DownloadProgress progress(
      DownloadProgress.Phase phase, String id, String file, long done, long total, long started) {
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    double rate = done / seconds;
    java.time.Duration eta =
        rate > 0 && total >= done
            ? java.time.Duration.ofSeconds((long) ((total - done) / rate))
            : null;
    return new DownloadProgress(phase, id, file, 0, 1, done, total, done, total, rate, eta);
  }
}

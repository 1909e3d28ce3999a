package atelier.cli;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.model.CatalogEntry;
import atelier.model.CatalogFile;
import atelier.model.DownloadListener;
import atelier.model.ModelKind;
import atelier.model.ModelStore;
import atelier.model.SessionSettings;
import atelier.upscale.UpscalerPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * UpscalerJS packages in the model store: a pulled package (an npm tarball) or one the user has is
 * converted to ONNX and installed as one upscaler per scale ({@code esrgan-medium-x4}, …).
 */
final class UpscalerPackages {
  private UpscalerPackages() {}

  /** Converts the tarballs of a pulled upscaler entry; the ids installed (none for other kinds). */
  static List<String> installPulled(AtelierHome home, CatalogEntry entry) {
    List<String> ids = new ArrayList<>();
    if (entry.kind() != ModelKind.UPSCALER) {
      return ids;
    }
    Path folder = Home.store(home).folder(entry.id());
    for (CatalogFile f : entry.files()) {
      if (f.path().endsWith(".tgz")) {
        ids.addAll(install(home, folder.resolve(f.path())));
      }
    }
    return ids;
  }

  /**
   * Whether {@code path} looks like an UpscalerJS package: a .tgz, or a folder with package.json.
   */
  static boolean isPackage(Path path) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    return (Files.isRegularFile(path) && (name.endsWith(".tgz") || name.endsWith(".tar.gz")))
        || (Files.isRegularFile(path.resolve("package.json"))
            && !Files.exists(path.resolve("model_index.json"))
            && !Files.exists(path.resolve("unet")));
  }

  /**
   * Converts a package in a staging folder, then imports each scale into the store (checked, with a
   * manifest, replacing an older install); the ids installed.
   */
  static List<String> install(AtelierHome home, Path pkg) {
    Path staging = home.cache().resolve("upscaler-staging-" + Long.toHexString(System.nanoTime()));
    try {
      List<UpscalerPackage.Imported> imported = UpscalerPackage.importFrom(pkg, staging);
      if (imported.isEmpty()) {
        throw new BadRequestException(
            "upscaler package " + pkg + ": expected at least one model scale, found none");
      }
      ModelStore store = Home.store(home);
      List<String> ids = new ArrayList<>();
      for (UpscalerPackage.Imported i : imported) {
        store.importConverted(
            i.folder(),
            pkg,
            i.info().id(),
            ModelKind.UPSCALER,
            ModelsImportCommand.check(ModelKind.UPSCALER, SessionSettings.CPU),
            true,
            DownloadListener.NONE,
            CancelToken.NONE);
        ids.add(i.info().id());
      }
      return ids;
    } finally {
      deleteTree(staging);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover staging folder is hidden and harmless; the next install uses a new one.
    }
  }
}

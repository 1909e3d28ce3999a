package atelier.testing;

import atelier.AtelierHome;
import atelier.upscale.UpscalerInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Installs the committed tiny ×2 super-resolution graph ({@code
 * core/src/test/resources/upscale/tiny-x2-even.onnx}, made by {@code
 * tools/upscale/make_test_models.py}) into a test home's model store, as {@code atelier models
 * import} would, so tests can check that the installed network (not Lanczos) is used.
 */
public final class TinyUpscaler {
  /** The id it is installed under. */
  public static final String ID = "tiny-x2";

  private TinyUpscaler() {}

  /** Installs it into {@code home}'s model store and returns its folder. */
  public static Path install(AtelierHome home) throws IOException {
    Path dir = home.models().resolve(ID);
    Files.createDirectories(dir);
    Files.copy(
        TestPaths.repoRoot().resolve("core/src/test/resources/upscale/tiny-x2-even.onnx"),
        dir.resolve("model.onnx"));
    new UpscalerInfo(ID, "tiny-x2-even", "test", "tools/upscale", "MIT", "conv", 2, 1f, 0)
        .write(dir);
    return dir;
  }
}

package atelier.upscale;

import atelier.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find the UpscalerJS model packages: {@code $ATELIER_UPSCALERJS}, else {@code
 * .cache/upscalerjs/} in the repository (filled by {@code .ci/run} with {@code npm pack}; never
 * committed). Tests that need them skip when they are absent.
 */
public final class UpscalerJsPackages {
  /** The version the catalogue and these tests pin. */
  public static final String VERSION = "1.0.0";

  private UpscalerJsPackages() {}

  public static Path folder() {
    String env = System.getenv("ATELIER_UPSCALERJS");
    return env != null && !env.isBlank()
        ? Path.of(env)
        : TestPaths.repoRoot().resolve(".cache/upscalerjs");
  }

  /** The tarball of {@code @upscalerjs/esrgan-<size>}; skips the test when it is absent. */
  public static Path require(String size) {
    Path p = folder().resolve("upscalerjs-esrgan-" + size + "-" + VERSION + ".tgz");
    Assumptions.assumeTrue(
        Files.isRegularFile(p),
        "UpscalerJS package "
            + p
            + " is absent (run .ci/run or npm pack @upscalerjs/esrgan-"
            + size
            + "@"
            + VERSION
            + " there)");
    return p;
  }
}

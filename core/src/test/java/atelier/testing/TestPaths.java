package atelier.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find their data: the repository root, the committed tiny models, and the optional
 * shared data folder ({@code ../shared/data} beside the checkout, absent on a user's clone).
 */
public final class TestPaths {
  private TestPaths() {}

  /** The repository root: the nearest folder upwards from the working directory with mvnw. */
  public static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("core"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "no repository root (a folder with mvnw and core/) above " + dir);
  }

  /** The committed tiny models: {@code core/src/test/resources/models}. */
  public static Path tinyModels() {
    return repoRoot().resolve("core/src/test/resources/models");
  }

  /** One committed tiny model folder, by name. */
  public static Path tinyModel(String name) {
    Path p = tinyModels().resolve(name);
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("no tiny model " + name + " at " + p);
    }
    return p;
  }

  /**
   * The shared data folder: {@code $ATELIER_SHARED_DATA} if set, else {@code ../shared/data} beside
   * the repository root; empty when absent.
   */
  public static Optional<Path> sharedData() {
    String env = System.getenv("ATELIER_SHARED_DATA");
    Path p =
        env != null && !env.isBlank()
            ? Path.of(env)
            : repoRoot().resolveSibling("shared").resolve("data");
    return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
  }

  /** A folder inside the shared data; skips the calling test when it is absent. */
  public static Path requireShared(String relative) {
    Optional<Path> base = sharedData();
    Assumptions.assumeTrue(base.isPresent(), "shared data folder (../shared/data) is absent");
    Path p = base.get().resolve(relative);
    Assumptions.assumeTrue(Files.exists(p), "shared data " + relative + " is absent");
    return p;
  }
}

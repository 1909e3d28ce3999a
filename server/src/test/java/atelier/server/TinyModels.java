package atelier.server;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the core module's tiny test models are, from any module's working folder. */
final class TinyModels {
  private TinyModels() {}

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("core/src/test/resources/models"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no core/src/test/resources/models above the working folder");
    }
    return p;
  }

  static Path model(String name) {
    return repoRoot().resolve("core/src/test/resources/models").resolve(name);
  }
}

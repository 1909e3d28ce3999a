package atelier.testing;

import atelier.model.CatalogEntry;
import atelier.model.CatalogFile;
import atelier.model.ModelKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The tiny model folder (tools/models/make_store_fixture.py) and catalog entries for it. */
public final class StoreFixtures {
  public static final String REPO = "atelier-test/tiny-sd";
  public static final String REVISION = "1111111111111111111111111111111111111111";

  private StoreFixtures() {}

  public static Path tinySd() {
    return TestPaths.repoRoot().resolve("core/src/test/resources/store/tiny-sd");
  }

  /** The fixture's files, relative, sorted. */
  public static List<String> paths() {
    Path root = tinySd();
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An entry for the fixture as published by FakeHub, with no sizes or hashes known. */
  public static CatalogEntry entry(String id) {
    List<CatalogFile> files = new ArrayList<>();
    for (String p : paths()) {
      files.add(new CatalogFile(p, null, null, 1000L, null));
    }
    return entry(id, files);
  }

  public static CatalogEntry entry(String id, List<CatalogFile> files) {
    return new CatalogEntry(
        id,
        "Tiny SD",
        ModelKind.PIPELINE,
        "sd1",
        "diffusers-script",
        "cpu",
        "fp32",
        "MIT",
        new CatalogEntry.Source(REPO, REVISION),
        null,
        files,
        true,
        null);
  }

  /** A copy of the fixture in {@code dir} (tests corrupt copies, never the committed files). */
  public static Path copyTo(Path dir) throws IOException {
    Path root = tinySd();
    for (String p : paths()) {
      Path target = dir.resolve(p);
      Files.createDirectories(target.getParent());
      Files.copy(root.resolve(p), target);
    }
    return dir;
  }

  public static byte[] bytes(String path) {
    try {
      return Files.readAllBytes(tinySd().resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

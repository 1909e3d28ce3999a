package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ModelLoadException;
import atelier.testing.FakeHub;
import atelier.testing.StoreFixtures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the store leaves behind and where imports come from: staging folders of killed imports,
 * Hugging Face cache snapshots, and how an imported model is repaired.
 */
class StoreLeftoversTest {
  @TempDir Path tmp;

  private ModelStore store() {
    return new ModelStore(tmp.resolve("models"));
  }

  private ModelManifest importFrom(Path src, String id) {
    return store()
        .importFolder(
            src,
            id,
            ModelKind.PIPELINE,
            ModelFolder::open,
            false,
            DownloadListener.NONE,
            CancelToken.NONE);
  }

  private Path staging(String name) throws IOException {
    Path p = Files.createDirectories(tmp.resolve("models").resolve(name).resolve("unet"));
    Files.write(p.resolve("model.onnx"), new byte[1024]);
    return p.getParent();
  }

  @Test
  void stagingOfKilledImportsIsCleanedAndLiveImportsAreKept() throws Exception {
    Path dead = staging(".dead.import-123");
    Path old = staging(".dead.old-77");
    Path busy = staging(".busy.import-456");
    Path other = staging(".other.import-789");
    Path notOurs = staging(".cache");
    // A live import in another process holds its model's lock (the OS file lock).
    Path lockFile = tmp.resolve("models/.other.lock");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                StoreLockTest.class.getName(),
                lockFile.toString())
            .redirectErrorStream(true)
            .start();
    // … and one in another thread of this process.
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder =
        new Thread(
            () -> {
              try (StoreLock lock = store().lock("busy", () -> {})) {
                locked.countDown();
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    try {
      BufferedReader r =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertThat(r.readLine()).isEqualTo("locked");
      holder.start();
      assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(store().cleanStaging()).containsExactlyInAnyOrder(dead, old);
      assertThat(dead).doesNotExist();
      assertThat(old).doesNotExist();
      assertThat(busy.resolve("unet/model.onnx")).exists();
      assertThat(other.resolve("unet/model.onnx")).exists();
      assertThat(notOurs).exists();
    } finally {
      release.countDown();
      holder.join(10_000);
      child.getOutputStream().close();
      child.waitFor(10, TimeUnit.SECONDS);
      child.destroyForcibly();
    }
    // Once their holders are gone they are stale too, and the next import cleans them.
    importFrom(StoreFixtures.copyTo(Files.createDirectories(tmp.resolve("src"))), "m");
    assertThat(busy).doesNotExist();
    assertThat(other).doesNotExist();
  }

  /** A Hugging Face cache entry: files in snapshots/REV are relative links into ../../blobs. */
  private Path hfSnapshot() throws IOException {
    Path repo = tmp.resolve("hub/models--org--tiny");
    Path blobs = Files.createDirectories(repo.resolve("blobs"));
    Path snap = Files.createDirectories(repo.resolve("snapshots/abc123"));
    for (String p : StoreFixtures.paths()) {
      byte[] bytes = StoreFixtures.bytes(p);
      String sha = FakeHub.sha256(bytes);
      Files.write(blobs.resolve(sha), bytes);
      Path link = snap.resolve(p);
      Files.createDirectories(link.getParent());
      Path up = link.getParent().relativize(blobs.resolve(sha));
      Files.createSymbolicLink(link, up);
    }
    return snap;
  }

  @Test
  void aHuggingFaceCacheSnapshotImportsThroughItsLinks() throws Exception {
    Path snap = hfSnapshot();
    ModelManifest m = importFrom(snap, "tiny");
    assertThat(m.files())
        .extracting(ModelManifest.FileRecord::path)
        .containsExactlyElementsOf(StoreFixtures.paths());
    Path dir = store().requireReady("tiny");
    for (ModelManifest.FileRecord f : m.files()) {
      assertThat(Files.isSymbolicLink(dir.resolve(f.path()))).isFalse();
      assertThat(f.sha256()).isEqualTo(FakeHub.sha256(StoreFixtures.bytes(f.path())));
    }
    assertThat(store().verify("tiny", DownloadListener.NONE, CancelToken.NONE).ok()).isTrue();
  }

  @Test
  void aLinkOutOfTheModelIsStillRefused() throws Exception {
    Path snap = hfSnapshot();
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "not a model file");
    // A weights file: the load check does not read it, the import would.
    String first =
        StoreFixtures.paths().stream().filter(p -> p.endsWith(".onnx")).findFirst().orElseThrow();
    Files.delete(snap.resolve(first));
    Files.createSymbolicLink(snap.resolve(first), secret);
    assertThatThrownBy(() -> importFrom(snap, "tiny"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("import: " + first + " is a link to " + secret)
        .hasMessageContaining("found one outside it");
    assertThat(store().find("tiny")).isEmpty();

    Path plain = StoreFixtures.copyTo(Files.createDirectories(tmp.resolve("plain")));
    Files.delete(plain.resolve(first));
    Files.createSymbolicLink(plain.resolve(first), secret);
    assertThatThrownBy(() -> importFrom(plain, "plain"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("outside");
  }

  @Test
  void aDamagedImportSaysReImportNotPull() throws Exception {
    Path src = StoreFixtures.copyTo(Files.createDirectories(tmp.resolve("mine")));
    ModelManifest m = importFrom(src, "mine");
    Path dir = store().requireReady("mine");
    String first = m.files().get(0).path();
    Files.delete(dir.resolve(first));
    assertThatThrownBy(() -> store().requireReady("mine"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(
            "re-import from "
                + src.toAbsolutePath()
                + ": atelier models import "
                + src.toAbsolutePath()
                + " --id mine --replace")
        .message()
        .doesNotContain("models pull");

    Path pkg = Files.writeString(tmp.resolve("pkg.tgz"), "a package");
    ModelManifest converted =
        store()
            .importConverted(
                src,
                pkg,
                "conv",
                ModelKind.PIPELINE,
                ModelFolder::open,
                false,
                DownloadListener.NONE,
                CancelToken.NONE);
    assertThat(converted.repair()).startsWith("re-import from " + pkg.toAbsolutePath());
  }
}

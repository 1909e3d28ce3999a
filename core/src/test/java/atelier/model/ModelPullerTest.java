package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.CancelToken;
import atelier.ModelLoadException;
import atelier.testing.FakeHub;
import atelier.testing.StoreFixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls the tiny model from a loopback server that behaves like Hugging Face's resolve endpoint
 * (see {@link FakeHub}), through the real downloader, store and manifest: redirects, LFS and Git
 * hashes from headers, resume after a dropped connection, stalls, corruption, repair, concurrent
 * pulls, gated repositories and an unreachable hub.
 */
class ModelPullerTest {
  private static final String TEXT = "text_encoder/model.onnx";

  @TempDir Path tmp;
  private FakeHub hub;
  private ModelStore store;

  @BeforeEach
  void start() throws IOException {
    hub = new FakeHub().publish(StoreFixtures.REPO, StoreFixtures.REVISION, StoreFixtures.tinySd());
    store = new ModelStore(tmp.resolve("models"));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private ModelPuller puller(int retries) {
    return puller(DownloadSettings.of(hub.endpoint()).withRetries(retries, Duration.ZERO));
  }

  private ModelPuller puller(DownloadSettings settings) {
    return new ModelPuller(store, new HttpDownloader(settings), new ModelHasher(tmp.resolve("c")));
  }

  @Test
  void pullFollowsRedirectsAndChecksEveryFileAgainstTheHeaders() throws IOException {
    List<DownloadProgress> events = new CopyOnWriteArrayList<>();
    ModelManifest m = puller(0).pull(StoreFixtures.entry("tiny"), events::add, CancelToken.NONE);

    assertThat(m.complete()).isTrue();
    assertThat(m.origin().commit()).isEqualTo(FakeHub.COMMIT);
    assertThat(m.files())
        .extracting(ModelManifest.FileRecord::path)
        .containsExactlyElementsOf(StoreFixtures.paths());
    for (ModelManifest.FileRecord f : m.files()) {
      byte[] expected = StoreFixtures.bytes(f.path());
      assertThat(Files.readAllBytes(store.folder("tiny").resolve(f.path()))).isEqualTo(expected);
      assertThat(f.sha256()).isEqualTo(FakeHub.sha256(expected));
      // LFS files carry X-Linked-Etag (SHA-256); Git files only their blob id in ETag.
      assertThat(f.check()).isEqualTo(FakeHub.isLfs(f.path()) ? "server-sha256" : "git-sha1");
    }
    assertThat(store.find("tiny").orElseThrow().state()).isEqualTo(ModelStore.State.READY);
    assertThat(ModelFolder.open(store.requireReady("tiny")).hasGraph("unet")).isTrue();
    assertThat(hub.seen())
        .filteredOn(s -> s.server().equals("cdn"))
        .hasSize(3)
        .allSatisfy(s -> assertThat(s.authorization()).isNull());
    assertThat(events)
        .extracting(DownloadProgress::phase)
        .contains(DownloadProgress.Phase.FILE_DONE, DownloadProgress.Phase.DONE);
    assertThat(events.get(events.size() - 1).bytes()).isEqualTo(m.totalSize());
    // No partial or temporary files stay behind.
    try (var s = Files.walk(store.folder("tiny"))) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.endsWith(".part") || n.endsWith(".tmp"));
    }
  }

  @Test
  void aSecondPullFindsEverythingInPlaceAndFetchesNothing() {
    puller(0).pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE);
    int requests = hub.seen().size();
    puller(0).pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE);
    assertThat(hub.seen()).hasSize(requests);
  }

  @Test
  void aDroppedConnectionLeavesAPartFileThatTheNextPullResumes() throws IOException {
    byte[] text = StoreFixtures.bytes(TEXT);
    hub.dropOnce(text, 1000);

    assertThatThrownBy(
            () ->
                puller(0)
                    .pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("download of " + hub.endpoint())
        .hasMessageContaining("1000 bytes are kept")
        .hasMessageContaining("next pull resumes");
    Path target = store.folder("tiny").resolve(TEXT);
    assertThat(HttpDownloader.partFile(target)).hasSize(1000);
    assertThat(target).doesNotExist();
    ModelStore.StoredModel half = store.find("tiny").orElseThrow();
    assertThat(half.state()).isEqualTo(ModelStore.State.INCOMPLETE);
    assertThatThrownBy(() -> store.requireReady("tiny"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("atelier models pull tiny");

    ModelManifest m =
        puller(0).pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE);
    assertThat(m.complete()).isTrue();
    assertThat(hub.seen())
        .filteredOn(s -> s.server().equals("cdn") && "bytes=1000-".equals(s.range()))
        .hasSize(1);
    assertThat(Files.readAllBytes(target)).isEqualTo(text);
    assertThat(store.verify("tiny", DownloadListener.NONE, CancelToken.NONE).ok()).isTrue();
  }

  @Test
  void retriesResumeWithinOnePull() throws IOException {
    byte[] text = StoreFixtures.bytes(TEXT);
    hub.dropOnce(text, 700);
    ModelManifest m =
        puller(2).pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE);
    assertThat(m.complete()).isTrue();
    assertThat(hub.seen())
        .filteredOn(s -> s.server().equals("cdn") && "bytes=700-".equals(s.range()))
        .hasSize(1);
    assertThat(Files.readAllBytes(store.folder("tiny").resolve(TEXT))).isEqualTo(text);
  }

  @Test
  void aStalledTransferIsAbandonedAndResumed() throws IOException {
    byte[] text = StoreFixtures.bytes(TEXT);
    hub.stallOnce(text, 500, 9000);
    DownloadSettings s =
        DownloadSettings.of(hub.endpoint())
            .withRetries(2, Duration.ZERO)
            .withStallTimeout(Duration.ofMillis(1500));
    long t0 = System.nanoTime();
    puller(s).pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE);
    // Abandoned after the 1.5 s stall timeout, long before the server would send the rest (9 s).
    assertThat((System.nanoTime() - t0) / 1e6).isLessThan(7500);
    assertThat(hub.seen())
        .filteredOn(r -> r.server().equals("cdn") && "bytes=500-".equals(r.range()))
        .hasSize(1);
    assertThat(Files.readAllBytes(store.folder("tiny").resolve(TEXT))).isEqualTo(text);
  }

  @Test
  void corruptBytesAreRejectedAndNeverInstalled() {
    byte[] text = StoreFixtures.bytes(TEXT);
    hub.corrupt(text);
    assertThatThrownBy(
            () ->
                puller(0)
                    .pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected SHA-256 " + FakeHub.sha256(text) + " (from the server)")
        .hasMessageContaining("run the pull again");
    Path target = store.folder("tiny").resolve(TEXT);
    assertThat(target).doesNotExist();
    assertThat(HttpDownloader.partFile(target)).doesNotExist();
    assertThat(store.find("tiny").orElseThrow().state()).isNotEqualTo(ModelStore.State.READY);
  }

  @Test
  void theCatalogHashWinsAndAConflictWithTheServerIsAnError() {
    List<CatalogFile> files = new ArrayList<>();
    for (String p : StoreFixtures.paths()) {
      String sha = p.equals(TEXT) ? "0".repeat(64) : null;
      files.add(new CatalogFile(p, null, sha, null, null));
    }
    assertThatThrownBy(
            () ->
                puller(0)
                    .pull(
                        StoreFixtures.entry("tiny", files),
                        DownloadListener.NONE,
                        CancelToken.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("the catalog expects SHA-256 " + "0".repeat(64))
        .hasMessageContaining("announces " + FakeHub.sha256(StoreFixtures.bytes(TEXT)));

    List<CatalogFile> right = new ArrayList<>();
    for (String p : StoreFixtures.paths()) {
      byte[] b = StoreFixtures.bytes(p);
      right.add(new CatalogFile(p, (long) b.length, FakeHub.sha256(b), null, null));
    }
    ModelManifest m =
        puller(0)
            .pull(StoreFixtures.entry("tiny2", right), DownloadListener.NONE, CancelToken.NONE);
    assertThat(m.files()).allSatisfy(f -> assertThat(f.check()).isEqualTo("catalog-sha256"));
  }

  @Test
  void aWrongCatalogSizeFailsAtOnceInsteadOfBeingRetried() {
    List<CatalogFile> files = new ArrayList<>();
    for (String p : StoreFixtures.paths()) {
      files.add(new CatalogFile(p, p.equals(TEXT) ? 999L : null, null, null, null));
    }
    assertThatThrownBy(
            () ->
                puller(3)
                    .pull(
                        StoreFixtures.entry("tiny", files),
                        DownloadListener.NONE,
                        CancelToken.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("the catalog expects 999 bytes but the server announces 2836");
    assertThat(hub.seen()).filteredOn(r -> r.server().equals("cdn")).hasSize(1);
  }

  @Test
  void verifyFindsACorruptFileAndTheNextPullRepairsOnlyThatFile() throws IOException {
    puller(0).pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE);
    Path unet = store.folder("tiny").resolve("unet/model.onnx");
    byte[] good = Files.readAllBytes(unet);
    byte[] bad = good.clone();
    bad[10] ^= 1;
    Files.write(unet, bad);

    VerifyReport report = store.verify("tiny", DownloadListener.NONE, CancelToken.NONE);
    assertThat(report.ok()).isFalse();
    assertThat(report.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path()).isEqualTo("unet/model.onnx");
              assertThat(f.status()).isEqualTo(VerifyReport.Status.HASH);
              assertThat(f.actualSha256()).isEqualTo(FakeHub.sha256(bad));
            });
    assertThat(store.find("tiny").orElseThrow().state()).isEqualTo(ModelStore.State.DAMAGED);
    assertThatThrownBy(() -> store.requireReady("tiny"))
        .hasMessageContaining("unet/model.onnx: expected SHA-256");

    int before = hub.fullDownloads();
    puller(0).pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE);
    assertThat(hub.fullDownloads() - before).isEqualTo(1);
    assertThat(Files.readAllBytes(unet)).isEqualTo(good);
    assertThat(store.verify("tiny", DownloadListener.NONE, CancelToken.NONE).ok()).isTrue();
    assertThat(store.find("tiny").orElseThrow().state()).isEqualTo(ModelStore.State.READY);
  }

  @Test
  void aDeletedOrTruncatedFileIsDetectedAndRefetched() throws IOException {
    puller(0).pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE);
    Path vocab = store.folder("tiny").resolve("tokenizer/vocab.json");
    Files.delete(vocab);
    Path text = store.folder("tiny").resolve(TEXT);
    Files.write(text, new byte[] {1, 2, 3});
    assertThat(store.find("tiny").orElseThrow().problem())
        .isEqualTo("text_encoder/model.onnx has 3 bytes, expected 2836");

    int before = hub.fullDownloads();
    puller(0).pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE);
    assertThat(hub.fullDownloads() - before).isEqualTo(2);
    assertThat(store.find("tiny").orElseThrow().state()).isEqualTo(ModelStore.State.READY);
  }

  @Test
  void twoConcurrentPullsOfOneModelFetchEachFileOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<ModelManifest>> runs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        runs.add(
            pool.submit(
                () ->
                    puller(0)
                        .pull(
                            StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE)));
      }
      for (Future<ModelManifest> f : runs) {
        assertThat(f.get().complete()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(hub.fullDownloads()).isEqualTo(StoreFixtures.paths().size());
  }

  @Test
  void aGatedRepositoryNeedsTheTokenWhichNeverReachesTheCdn() {
    hub.gate("hf_secret");
    assertThatThrownBy(
            () ->
                puller(0)
                    .pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("HF_TOKEN");
    DownloadSettings s =
        DownloadSettings.of(hub.endpoint()).withRetries(0, Duration.ZERO).withToken("hf_secret");
    assertThat(s.toString()).doesNotContain("hf_secret");
    ModelManifest m =
        puller(s).pull(StoreFixtures.entry("tiny"), DownloadListener.NONE, CancelToken.NONE);
    assertThat(m.complete()).isTrue();
    assertThat(m.toString()).doesNotContain("hf_secret");
    assertThat(hub.seen())
        .filteredOn(r -> r.server().equals("cdn"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.authorization()).isNull());
  }

  @Test
  void anUnreachableHubNamesTheModelItsFilesAndTheImportAlternative() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    DownloadSettings s =
        DownloadSettings.of(URI.create("http://127.0.0.1:" + port))
            .withRetries(3, Duration.ofSeconds(5));
    CatalogEntry entry = StoreFixtures.entry("tiny");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> puller(s).pull(entry, DownloadListener.NONE, CancelToken.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(
            "model tiny (Tiny SD) is not installed and 127.0.0.1 cannot be" + " reached")
        .hasMessageContaining(
            "http://127.0.0.1:"
                + port
                + "/"
                + StoreFixtures.REPO
                + "/resolve/"
                + StoreFixtures.REVISION
                + "/unet/model.onnx")
        .hasMessageContaining("atelier models import DIR --id tiny");
    // Unreachable is not retried: the error comes at once, not after the 35 s of back-off.
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(4);
    // Nothing was fetched, so no half-made model folder is left to show up in `models list`.
    assertThat(store.find("tiny")).isEmpty();
  }

  @Test
  void revisionsAndPathsAreEncodedInTheResolveAddress() {
    CatalogEntry e =
        new CatalogEntry(
            "x",
            "X",
            ModelKind.UPSCALER,
            "esrgan",
            null,
            "cpu",
            "fp32",
            "MIT",
            new CatalogEntry.Source("o/r", "refs/pr/1"),
            null,
            List.of(new CatalogFile("dir/my model.onnx", null, null, null, null)),
            false,
            null);
    assertThat(e.url(URI.create("https://hub.example/"), e.files().get(0)))
        .hasToString("https://hub.example/o/r/resolve/refs%2Fpr%2F1/dir/my%20model.onnx");
  }
}

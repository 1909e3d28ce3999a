package atelier.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import atelier.CancelToken;
import atelier.ModelLoadException;
import atelier.model.CatalogEntry;
import atelier.model.CatalogFile;
import atelier.model.DownloadListener;
import atelier.model.DownloadProgress;
import atelier.model.DownloadSettings;
import atelier.model.HttpDownloader;
import atelier.model.ModelKind;
import atelier.model.ModelManifest;
import atelier.model.ModelPuller;
import atelier.model.ModelStore;
import atelier.model.SessionSettings;
import atelier.pipeline.StableDiffusion;
import atelier.testing.FakeHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalog entry that is a single-file checkpoint: {@code models pull} downloads it from a
 * loopback server that behaves like Hugging Face's resolve endpoint ({@link FakeHub}) into the
 * store, converts it, removes the download, and records the hub origin and the file's hash.
 */
class CheckpointPullTest {
  private static final String REPO = "atelier-test/tiny-checkpoint";
  private static final String REVISION = "2222222222222222222222222222222222222222";
  private static final String FILE = "tiny-sd1.safetensors";

  @TempDir Path tmp;
  private FakeHub hub;
  private ModelStore store;

  @BeforeEach
  void start() throws IOException {
    Path published = tmp.resolve("published");
    Files.createDirectories(published);
    Files.copy(CheckpointConformanceTest.checkpoints().resolve(FILE), published.resolve(FILE));
    hub = new FakeHub().publish(REPO, REVISION, published);
    store = new ModelStore(tmp.resolve("models"));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private ModelPuller puller() {
    return new ModelPuller(
        store,
        new HttpDownloader(DownloadSettings.of(hub.endpoint()).withRetries(0, Duration.ZERO)),
        null,
        (file, entry, origin, sha, listener, cancel) ->
            CheckpointImport.pulled(
                store,
                file,
                entry,
                origin,
                sha,
                d -> StableDiffusion.load(d, SessionSettings.CPU).close(),
                listener,
                cancel));
  }

  static CatalogEntry entry(String family) {
    return new CatalogEntry(
        "tiny-ckpt",
        "Tiny checkpoint",
        ModelKind.PIPELINE,
        family,
        null,
        "cpu",
        "fp32",
        "MIT",
        new CatalogEntry.Source(REPO, REVISION),
        null,
        List.of(new CatalogFile(FILE, null, null, 1_300_000L, null)),
        false,
        null);
  }

  @Test
  void aCheckpointEntryIsDownloadedConvertedAndTheDownloadRemoved() throws Exception {
    List<DownloadProgress> events = new CopyOnWriteArrayList<>();
    ModelManifest m = puller().pull(entry("sd1"), events::add, CancelToken.NONE);

    assertThat(m.complete()).isTrue();
    assertThat(m.name()).isEqualTo("Tiny checkpoint");
    assertThat(m.origin().type()).isEqualTo("huggingface");
    assertThat(m.origin().repo()).isEqualTo(REPO);
    assertThat(m.origin().commit()).isEqualTo(FakeHub.COMMIT);
    ModelManifest.Conversion c = m.origin().conversion();
    assertThat(c.file()).isEqualTo(FILE);
    assertThat(c.sha256()).isEqualTo(FakeHub.sha256(hub.file(REPO, REVISION, FILE)));
    assertThat(c.family()).isEqualTo("sd1");
    assertThat(store.folder("tiny-ckpt").resolve("unet/model.onnx_data")).exists();
    StableDiffusion.load(store.requireReady("tiny-ckpt"), SessionSettings.CPU).close();
    // the download is gone, and nothing else is left beside the model
    try (Stream<Path> s = Files.list(store.root())) {
      assertThat(s.filter(Files::isDirectory).map(p -> p.getFileName().toString()))
          .containsExactly("tiny-ckpt");
    }
    // downloading, then converting, then done: the conversion has its own phase
    List<DownloadProgress.Phase> phases = events.stream().map(DownloadProgress::phase).toList();
    int firstConverting = phases.indexOf(DownloadProgress.Phase.CONVERTING);
    assertThat(phases.indexOf(DownloadProgress.Phase.DOWNLOADING)).isBetween(0, firstConverting);
    assertThat(phases.subList(firstConverting, phases.size()))
        .doesNotContain(DownloadProgress.Phase.DOWNLOADING);
    assertThat(phases.get(phases.size() - 1)).isEqualTo(DownloadProgress.Phase.DONE);
    assertThat(
            events.stream()
                .filter(e -> e.phase() == DownloadProgress.Phase.CONVERTING)
                .map(DownloadProgress::file))
        .contains("unet/model.onnx_data");

    // a second pull finds it installed from the same file and fetches nothing
    int requests = hub.seen().size();
    puller().pull(entry("sd1"), DownloadListener.NONE, CancelToken.NONE);
    assertThat(hub.seen()).hasSize(requests);
  }

  @Test
  void aDamagedConversionIsPulledAndConvertedAgain() throws Exception {
    puller().pull(entry("sd1"), DownloadListener.NONE, CancelToken.NONE);
    Path data = store.folder("tiny-ckpt").resolve("unet/model.onnx_data");
    Files.write(data, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    int before = hub.fullDownloads();
    puller().pull(entry("sd1"), DownloadListener.NONE, CancelToken.NONE);
    assertThat(hub.fullDownloads()).isEqualTo(before + 1);
    StableDiffusion.load(store.requireReady("tiny-ckpt"), SessionSettings.CPU).close();
  }

  @Test
  void aCheckpointOfAnotherFamilyIsAModelErrorAndLeavesNothing() throws Exception {
    ModelLoadException e =
        assertThrows(
            ModelLoadException.class,
            () -> puller().pull(entry("sd2"), DownloadListener.NONE, CancelToken.NONE));
    assertThat(e.getMessage())
        .contains("model tiny-ckpt", "the catalog's checkpoint " + FILE, "cannot be converted");
    assertThat(store.find("tiny-ckpt")).isEmpty();
    try (Stream<Path> s = Files.list(store.root())) {
      assertThat(s.filter(Files::isDirectory).toList()).isEmpty();
    }
  }

  @Test
  void aPullerThatCannotConvertSaysSo() {
    ModelPuller plain =
        new ModelPuller(store, new HttpDownloader(DownloadSettings.of(hub.endpoint())), null);
    ModelLoadException e =
        assertThrows(
            ModelLoadException.class,
            () -> plain.pull(entry("sd1"), DownloadListener.NONE, CancelToken.NONE));
    assertThat(e.getMessage()).contains("tiny-ckpt", "converts checkpoints", FILE);
  }

  @Test
  void checkpointEntriesAreOneFileOfAConvertibleFamily() {
    IllegalArgumentException two =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new CatalogEntry(
                    "x",
                    "X",
                    ModelKind.PIPELINE,
                    "sd1",
                    null,
                    "cpu",
                    "fp32",
                    "MIT",
                    new CatalogEntry.Source(REPO, REVISION),
                    null,
                    List.of(
                        new CatalogFile(FILE, null, null, null, null),
                        new CatalogFile("vae.safetensors", null, null, null, null)),
                    false,
                    null));
    assertThat(two.getMessage()).contains("exactly one .safetensors file, found 2");
    IllegalArgumentException lcm = assertThrows(IllegalArgumentException.class, () -> entry("lcm"));
    assertThat(lcm.getMessage()).contains("expected family sd1, sd2 or sd2-v, found 'lcm'");
    assertThat(entry("sd1").isCheckpoint()).isTrue();
  }
}

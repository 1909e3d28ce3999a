package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ModelLoadException;
import atelier.testing.FakeHub;
import atelier.testing.StoreFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Import, list, verify and remove on the local store. */
class ModelStoreTest {
  @TempDir Path tmp;

  private ModelStore store() {
    return new ModelStore(tmp.resolve("models"));
  }

  private Path source() throws IOException {
    return StoreFixtures.copyTo(Files.createDirectories(tmp.resolve("My Model")));
  }

  @Test
  void importCopiesAValidatedFolderAndRecordsEveryFile() throws IOException {
    Path src = source();
    Files.createDirectories(src.resolve(".git"));
    Files.writeString(src.resolve(".git/HEAD"), "ref: refs/heads/main\n");
    AtomicInteger checked = new AtomicInteger();
    ModelManifest m =
        store()
            .importFolder(
                src,
                null,
                ModelKind.PIPELINE,
                dir -> {
                  checked.incrementAndGet();
                  ModelFolder.open(dir);
                },
                false,
                DownloadListener.NONE,
                CancelToken.NONE);

    assertThat(checked).hasValue(1);
    assertThat(m.id()).isEqualTo("my-model");
    assertThat(m.origin().type()).isEqualTo("import");
    assertThat(m.files())
        .extracting(ModelManifest.FileRecord::path)
        .containsExactlyElementsOf(StoreFixtures.paths());
    for (ModelManifest.FileRecord f : m.files()) {
      assertThat(f.sha256()).isEqualTo(FakeHub.sha256(StoreFixtures.bytes(f.path())));
    }
    Path dir = store().requireReady("my-model");
    assertThat(dir.resolve(".git")).doesNotExist();
    assertThat(ModelFolder.open(dir).id()).isEqualTo("my-model");
    assertThat(store().verify("my-model", DownloadListener.NONE, CancelToken.NONE).ok()).isTrue();
    assertThat(store().list()).extracting(ModelStore.StoredModel::id).containsExactly("my-model");
  }

  @Test
  void aFolderThatFailsItsCheckIsNotImported() throws IOException {
    Path src = source();
    Files.delete(src.resolve("unet/model.onnx"));
    assertThatThrownBy(
            () ->
                store()
                    .importFolder(
                        src,
                        "broken",
                        ModelKind.PIPELINE,
                        ModelFolder::open,
                        false,
                        DownloadListener.NONE,
                        CancelToken.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("missing unet/model.onnx");
    assertThat(store().find("broken")).isEmpty();
  }

  @Test
  void anInstalledIdIsReplacedOnlyWhenAsked() throws IOException {
    Path src = source();
    store()
        .importFolder(
            src, "m", ModelKind.PIPELINE, d -> {}, false, DownloadListener.NONE, CancelToken.NONE);
    assertThatThrownBy(
            () ->
                store()
                    .importFolder(
                        src,
                        "m",
                        ModelKind.PIPELINE,
                        d -> {},
                        false,
                        DownloadListener.NONE,
                        CancelToken.NONE))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("already installed; pass --replace");
    Files.writeString(src.resolve("extra.txt"), "x");
    ModelManifest m =
        store()
            .importFolder(
                src,
                "m",
                ModelKind.PIPELINE,
                d -> {},
                true,
                DownloadListener.NONE,
                CancelToken.NONE);
    assertThat(m.byPath()).containsKey("extra.txt");
    try (var s = Files.list(tmp.resolve("models"))) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .allMatch(n -> n.equals("m") || n.equals(".m.lock"));
    }
  }

  @Test
  void listShowsFoldersWithoutAManifestAsIncomplete() throws IOException {
    Files.createDirectories(tmp.resolve("models/half/unet"));
    Files.createDirectories(tmp.resolve("models/.hidden"));
    ModelStore.StoredModel half = store().list().get(0);
    assertThat(store().list()).hasSize(1);
    assertThat(half.id()).isEqualTo("half");
    assertThat(half.state()).isEqualTo(ModelStore.State.INCOMPLETE);
    assertThat(half.problem()).contains("no store manifest");
    assertThatThrownBy(() -> store().verify("half", DownloadListener.NONE, CancelToken.NONE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model half has no store manifest");
  }

  @Test
  void removeDeletesTheFolderAndRefusesUnknownIds() throws IOException {
    store()
        .importFolder(
            source(),
            "gone",
            ModelKind.PIPELINE,
            d -> {},
            false,
            DownloadListener.NONE,
            CancelToken.NONE);
    store().remove("gone");
    assertThat(tmp.resolve("models/gone")).doesNotExist();
    assertThatThrownBy(() -> store().remove("gone"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected an installed model, found none");
    assertThatThrownBy(() -> store().folder("../etc"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("model id: expected");
  }

  @Test
  void idsAreDerivedFromFolderNames() {
    assertThat(ModelStore.idFor(Path.of("/x/Stable Diffusion v1.5 (ONNX)")))
        .isEqualTo("stable-diffusion-v1.5-onnx-");
    assertThat(ModelStore.idFor(Path.of("/x/__"))).isEqualTo("model");
  }
}

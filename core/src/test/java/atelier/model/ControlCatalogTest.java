package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import atelier.CancelToken;
import atelier.pipeline.TaesdDecoder;
import atelier.testing.FakeHub;
import atelier.testing.TestPaths;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's ControlNet, residual-UNet and TAESD entries: each names its kind and the files in
 * the layout Atelier reads (no network), and a pull of the TAESD entry from a loopback hub lands
 * where {@code generate --vae taesd} and {@code serve} look.
 */
class ControlCatalogTest {
  private static final URI HUB = URI.create("https://huggingface.co");

  private static List<String> paths(CatalogEntry e) {
    return e.files().stream().map(CatalogFile::path).toList();
  }

  @Test
  void theControlNetEntryIsASeparateExportPinnedToItsCommit() {
    CatalogEntry e = ModelCatalog.builtin().require("controlnet-canny-sd15-fp16");
    assertThat(e.kind()).isEqualTo(ModelKind.CONTROLNET);
    assertThat(e.verified()).isFalse();
    assertThat(e.precision()).isEqualTo("fp16");
    assertThat(e.device()).isEqualTo("cuda");
    assertThat(e.source().revision()).matches("[0-9a-f]{40}");
    // the folder's model.onnx (what ControlNet.open reads), fetched from the repository's SD/Canny
    assertThat(paths(e)).containsExactly("model.onnx");
    assertThat(e.url(HUB, e.files().get(0)).toString())
        .isEqualTo(
            "https://huggingface.co/TensorStack/ControlNet-onnx/resolve/"
                + e.source().revision()
                + "/SD/Canny/model.onnx");
  }

  @Test
  void theResidualUnetEntryIsAPipelineWithOnnxStacksControlNetUnet() {
    CatalogEntry e = ModelCatalog.builtin().require("sd15-controlnet-onnxstack-fp16");
    assertThat(e.kind()).isEqualTo(ModelKind.PIPELINE);
    assertThat(e.verified()).isFalse();
    assertThat(e.source().revision()).matches("[0-9a-f]{40}");
    assertThat(ModelFamily.lookup(e.family())).isEqualTo(ModelFamily.lookup("sd1"));
    // the plain UNet and controlnet/model.onnx, the residual UNet ControlStages looks for first
    assertThat(paths(e))
        .contains("unet/model.onnx", "controlnet/model.onnx", "text_encoder/model.onnx")
        .contains("vae_decoder/model.onnx", "tokenizer/vocab.json", "tokenizer/merges.txt");
    assertThat(e.url(HUB, e.files().get(0)).toString())
        .startsWith("https://huggingface.co/TensorStack/stable-diffusion-v1-5-onnx/resolve/");
  }

  @Test
  void theTaesdEntryIsPulledWhereVaeTaesdLooks(@TempDir Path tmp) throws Exception {
    CatalogEntry e = ModelCatalog.builtin().require("taesd");
    assertThat(e.kind()).isEqualTo(ModelKind.TAESD);
    assertThat(e.verified()).isFalse();
    assertThat(paths(e)).contains(TaesdDecoder.GRAPH);
    AtelierHome home = AtelierHome.at(tmp.resolve("home"));
    Path tiny = TestPaths.tinyModels().resolve("taesd-tiny");
    try (FakeHub hub = new FakeHub().publish(e.source().repo(), e.source().revision(), tiny)) {
      ModelPuller puller =
          new ModelPuller(
              ModelStore.of(home),
              new HttpDownloader(DownloadSettings.of(hub.endpoint()).withRetries(0, Duration.ZERO)),
              new ModelHasher(tmp.resolve("cache")));
      ModelManifest m = puller.pull(e, p -> {}, CancelToken.NONE);
      assertThat(m.complete()).isTrue();
      assertThat(m.kind()).isEqualTo(ModelKind.TAESD);
    }
    // cli TaesdOption and ServeCommand open the data folder's models/taesd
    try (TaesdDecoder d = TaesdDecoder.open(home.models().resolve("taesd"), SessionSettings.CPU)) {
      assertThat(d.range()).isEqualTo(TaesdDecoder.Range.ZERO_TO_ONE);
    }
  }
}

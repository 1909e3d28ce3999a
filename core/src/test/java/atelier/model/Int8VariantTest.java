package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.CancelledException;
import atelier.ProgressListener;
import atelier.diffusion.SchedulerKind;
import atelier.model.lora.LoraUse;
import atelier.model.lora.OnnxWeights;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.StableDiffusion;
import atelier.testing.TestPaths;
import atelier.upscale.ImageMetrics;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code models optimize ID --int8} on the tiny SD 1.5 model: what the quantiser rewrites, that the
 * variant generates an image close to the float32 one on the same seed, and every refusal.
 */
class Int8VariantTest {
  /** The pixel tolerance the README states for the tiny model (levels of 255, PSNR in dB). */
  static final double MIN_PSNR = 30;

  static final int MAX_LEVELS = 40;

  @TempDir Path tmp;
  ModelStore store;

  static final Consumer<Path> LOADS = d -> StableDiffusion.load(d, SessionSettings.CPU).close();

  @BeforeEach
  void install() {
    store = new ModelStore(tmp.resolve("models"));
    store.importFolder(
        TestPaths.tinyModel("sd15-optimum-1.22"),
        "tiny",
        ModelKind.PIPELINE,
        d -> {},
        false,
        DownloadListener.NONE,
        CancelToken.NONE);
  }

  private Int8Variant.Result optimize(String id) {
    return Int8Variant.create(
        store, "tiny", id, false, LOADS, DownloadListener.NONE, CancelToken.NONE);
  }

  @Test
  void quantisesEveryMatMulWeightOfTheUnetAndLeavesTheSourceAlone() throws Exception {
    ModelManifest before = store.manifest("tiny").orElseThrow();
    Int8Variant.Result r = optimize(null);

    assertThat(r.manifest().id()).isEqualTo("tiny-int8");
    assertThat(r.report().quantized()).isEqualTo(40);
    Path unet = store.folder("tiny-int8").resolve("unet/model.onnx");
    OnnxWeights w = OnnxWeights.read(unet);
    assertThat(w.nodes().stream().filter(n -> n.opType().equals(Int8Quantizer.OP))).hasSize(40);
    for (OnnxWeights.Node n : w.nodes()) {
      if (n.opType().equals("MatMul")) {
        assertThat(w.initializers()).doesNotContainKey(n.inputs().get(1));
      }
      if (n.opType().equals(Int8Quantizer.OP)) {
        OnnxWeights.Initializer q = w.initializers().get(n.inputs().get(1));
        assertThat(q.dataType()).as(n.name()).isEqualTo(3); // int8
        assertThat(q.file().getFileName().toString()).isEqualTo("model.onnx_data");
      }
    }
    ModelManifest.Variant v = r.manifest().origin().variant();
    assertThat(v.source()).isEqualTo("tiny");
    assertThat(v.method()).isEqualTo(Int8Variant.METHOD);
    assertThat(v.created()).isNotBlank();
    assertThat(v.otherFiles()).isEqualTo(r.hardLinked() ? "hard-linked" : "copied");
    assertThat(ModelManifest.read(store.folder("tiny-int8")).origin().variant()).isEqualTo(v);
    assertThat(store.find("tiny-int8").orElseThrow().state()).isEqualTo(ModelStore.State.READY);
    assertThat(store.verify("tiny-int8", DownloadListener.NONE, CancelToken.NONE).ok()).isTrue();
    // the source is untouched and still verifies; other stages are the same files
    assertThat(store.verify("tiny", DownloadListener.NONE, CancelToken.NONE).ok()).isTrue();
    assertThat(store.manifest("tiny").orElseThrow().files()).isEqualTo(before.files());
    Path vae = "vae_decoder/model.onnx".transform(store.folder("tiny-int8")::resolve);
    assertThat(Files.mismatch(vae, store.folder("tiny").resolve("vae_decoder/model.onnx")))
        .isEqualTo(-1);
    if (r.hardLinked()) {
      assertThat(Files.isSameFile(vae, store.folder("tiny").resolve("vae_decoder/model.onnx")))
          .isTrue();
    }
    assertThat(r.manifest().repair()).contains("atelier models optimize tiny --int8");
  }

  @Test
  void theInt8ImageIsCloseToTheFloat32ImageOnTheSameSeed() {
    optimize(null);
    BufferedImage fp32 = generate(store.folder("tiny"));
    BufferedImage int8 = generate(store.folder("tiny-int8"));
    double psnr = ImageMetrics.psnr(fp32, int8);
    int max = ImageMetrics.maxDifference(fp32, int8);
    System.out.printf(
        Locale.ROOT, "int8 vs fp32 (tiny SD 1.5, 64², 8 steps): PSNR %.1f dB, max %d%n", psnr, max);
    assertThat(max).as("the quantised UNet changes the image").isGreaterThan(0);
    assertThat(psnr).as("PSNR int8 vs fp32").isGreaterThanOrEqualTo(MIN_PSNR);
    assertThat(max).as("largest channel difference").isLessThanOrEqualTo(MAX_LEVELS);
  }

  @Test
  void theInt8UnetGoesThroughTheOptimisedGraphCacheUnchanged() {
    optimize(null);
    SessionSettings cached = SessionSettings.CPU.withGraphCache(tmp.resolve("cache"));
    System.setProperty(GraphCache.MIN_BYTES_PROPERTY, "0");
    try {
      List<OnnxModel.GraphCacheUse> uses = new ArrayList<>();
      BufferedImage plain = generate(store.folder("tiny-int8"), SessionSettings.CPU, uses);
      BufferedImage saved = generate(store.folder("tiny-int8"), cached, uses);
      BufferedImage loaded = generate(store.folder("tiny-int8"), cached, uses);
      assertThat(uses.subList(1, 3))
          .containsExactly(OnnxModel.GraphCacheUse.STORED, OnnxModel.GraphCacheUse.HIT);
      assertThat(ImageMetrics.maxDifference(plain, saved)).isZero();
      assertThat(ImageMetrics.maxDifference(plain, loaded)).isZero();
    } finally {
      System.clearProperty(GraphCache.MIN_BYTES_PROPERTY);
    }
  }

  private static BufferedImage generate(Path folder) {
    return generate(folder, SessionSettings.CPU, new ArrayList<>());
  }

  private static BufferedImage generate(
      Path folder, SessionSettings settings, List<OnnxModel.GraphCacheUse> uses) {
    try (StableDiffusion sd = StableDiffusion.load(folder, settings)) {
      uses.add(sd.unet().model().graphCacheUse());
      return sd.generate(
              GenerationRequest.builder("a lighthouse in a storm")
                  .steps(8)
                  .scheduler(SchedulerKind.EULER)
                  .guidance(7.5)
                  .seed(1234L)
                  .build(),
              ProgressListener.NONE,
              CancelToken.NONE)
          .images()
          .get(0)
          .image();
    }
  }

  @Test
  void aLoraOnAnInt8VariantNamesTheVariantNotAnotherArchitecture() {
    optimize(null);
    Path lora = TestPaths.repoRoot().resolve("core/src/test/resources/lora/tiny-sd15.safetensors");
    List<LoraUse> uses = List.of(new LoraUse("tiny-sd15", lora, 0.8));
    // the same LoRA merges into the float32 model it was made from
    StableDiffusion.load(store.folder("tiny"), SessionSettings.CPU, uses).close();
    assertThatThrownBy(
            () -> StableDiffusion.load(store.folder("tiny-int8"), SessionSettings.CPU, uses))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("int8 variant")
        .hasMessageContaining("float32 model")
        .hasMessageNotContaining("another architecture");
  }

  @Test
  void refusesUnknownAlreadyInt8AndTakenIdsBeforeWritingAnything() {
    assertThatThrownBy(
            () ->
                Int8Variant.create(
                    store, "nope", null, false, LOADS, DownloadListener.NONE, CancelToken.NONE))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("model nope: expected an installed model id")
        .hasMessageContaining("found none");
    optimize(null);
    assertThatThrownBy(
            () ->
                Int8Variant.create(
                    store,
                    "tiny-int8",
                    "again",
                    false,
                    LOADS,
                    DownloadListener.NONE,
                    CancelToken.NONE))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("already the int8 variant of tiny");
    assertThatThrownBy(() -> optimize(null))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("tiny-int8 is already installed; pass --replace");
    assertThat(store.list())
        .extracting(ModelStore.StoredModel::id)
        .containsExactly("tiny", "tiny-int8");
  }

  @Test
  void anInt8UnetImportedAsAModelIsRefusedAsAlreadyQuantised() {
    optimize(null);
    ModelStore other = new ModelStore(tmp.resolve("other"));
    other.importFolder(
        store.folder("tiny-int8"),
        "copy",
        ModelKind.PIPELINE,
        d -> {},
        false,
        DownloadListener.NONE,
        CancelToken.NONE);
    assertThatThrownBy(
            () ->
                Int8Variant.create(
                    other, "copy", null, false, LOADS, DownloadListener.NONE, CancelToken.NONE))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("already quantised (40 integer MatMul nodes)");
  }

  @Test
  void aFailureWhileWritingLeavesNothingBehind() throws Exception {
    CancelToken cancel = new CancelToken();
    assertThatThrownBy(
            () ->
                Int8Variant.create(
                    store,
                    "tiny",
                    null,
                    false,
                    LOADS,
                    p -> {
                      if (p.bytes() > 0) {
                        cancel.cancel();
                      }
                    },
                    cancel))
        .isInstanceOf(CancelledException.class);
    assertThat(store.find("tiny-int8")).isEmpty();
    try (Stream<Path> s = Files.list(store.root())) {
      assertThat(
              s.map(p -> p.getFileName().toString())
                  .filter(n -> n.contains("int8") && !n.endsWith(".lock")))
          .isEmpty();
    }
  }
}

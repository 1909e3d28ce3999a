package atelier.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.ModelLoadException;
import atelier.model.DownloadListener;
import atelier.model.DownloadProgress;
import atelier.model.ModelKind;
import atelier.model.ModelManifest;
import atelier.model.ModelStore;
import atelier.model.SafeTensors;
import atelier.model.SafeTensorsWriter;
import atelier.model.SessionSettings;
import atelier.pipeline.StableDiffusion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Importing single-file checkpoints into a store: what is recorded, and every kind of bad input
 * refused with one line that names it, leaving the store as it was.
 */
class CheckpointImportTest {
  @TempDir Path tmp;

  private static final Consumer<Path> LOADS =
      d -> StableDiffusion.load(d, SessionSettings.CPU).close();

  private ModelStore store() {
    return new ModelStore(tmp.resolve("models"));
  }

  private static Path resource(String name) {
    return CheckpointConformanceTest.checkpoints().resolve(name);
  }

  private CheckpointImport.Result run(Path file, String family, DownloadListener listener) {
    return CheckpointImport.run(
        store(),
        new CheckpointImport.Request(file, null, family, null, false),
        LOADS,
        listener,
        CancelToken.NONE);
  }

  /** The store has no model and no staging folder left. */
  private void assertStoreUntouched() throws IOException {
    Path root = store().root();
    if (Files.isDirectory(root)) {
      try (Stream<Path> s = Files.list(root)) {
        assertThat(s.filter(Files::isDirectory).toList()).isEmpty();
      }
    }
    assertThat(store().list()).isEmpty();
  }

  @Test
  void anImportRecordsTheConversionInTheManifest() throws Exception {
    Path file =
        Files.copy(resource("tiny-sd1.safetensors"), tmp.resolve("My Model_v1.safetensors"));
    CheckpointImport.Result r = run(file, null, DownloadListener.NONE);
    ModelManifest m = r.manifest();
    assertThat(m.id()).isEqualTo("my-model_v1");
    assertThat(store().find("my-model_v1").orElseThrow().state()).isEqualTo(ModelStore.State.READY);
    ModelManifest.Conversion c = m.origin().conversion();
    assertThat(c.file()).isEqualTo("My Model_v1.safetensors");
    assertThat(c.sha256())
        .isEqualTo(
            HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
    assertThat(c.family()).isEqualTo("sd1");
    assertThat(c.familySource()).isEqualTo("keys");
    assertThat(c.template()).isEqualTo("sd1-tiny");
    assertThat(c.keysUsed()).isEqualTo(r.plan().template().keys().size());
    assertThat(c.keysIgnored()).isEqualTo(5); // position_ids, EMA decay and count, betas, alphas
    assertThat(c.keysUnused()).isEmpty();
    assertThat(m.repair()).contains("atelier models import " + file.toAbsolutePath());
    assertThat(ModelManifest.read(store().folder("my-model_v1")).origin().conversion())
        .isEqualTo(c);
  }

  @Test
  void keysNoStageUsesAreReportedByName() throws Exception {
    Path file = rewrite("extra.safetensors", k -> true, Map.of("my_extra.weight", new float[3]));
    CheckpointImport.Result r = run(file, null, DownloadListener.NONE);
    assertThat(r.manifest().origin().conversion().keysUnused()).containsExactly("my_extra.weight");
  }

  @Test
  void anExternalVaeReplacesTheCheckpointsVae() throws Exception {
    Path ckpt = rewrite("novae.safetensors", k -> !k.startsWith("first_stage_model."), Map.of());
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(ckpt, null, DownloadListener.NONE));
    assertThat(e.getMessage()).contains("missing: first_stage_model.");
    // A VAE file as Stability publishes them: the VAE's keys without the first_stage_model. prefix.
    Path vae = tmp.resolve("vae-ft.safetensors");
    SafeTensorsWriter w = new SafeTensorsWriter();
    try (SafeTensors st = SafeTensors.open(resource("tiny-sd1.safetensors"))) {
      for (SafeTensors.TensorInfo t : st.tensors().values()) {
        if (t.name().startsWith("first_stage_model.")) {
          w.add(
              t.name().substring("first_stage_model.".length()),
              SafeTensors.DType.F32,
              t.shape(),
              st.readFloats(t.name()));
        }
      }
    }
    w.write(vae);
    CheckpointImport.Result r =
        CheckpointImport.run(
            store(),
            new CheckpointImport.Request(ckpt, "with-vae", null, vae, false),
            LOADS,
            DownloadListener.NONE,
            CancelToken.NONE);
    ModelManifest.Conversion c = r.manifest().origin().conversion();
    assertThat(c.vae()).isEqualTo("vae-ft.safetensors");
    assertThat(c.vaeSha256()).hasSize(64);
    assertThat(c.keysUnused()).isEmpty();
    try (SafeTensors ref = SafeTensors.open(resource("tiny-sd1.reference.safetensors"))) {
      CheckpointConformanceTest.check(
          store().folder("with-vae"),
          "vae_decoder",
          Map.of(
              "latent_sample", CheckpointConformanceTest.tensor(ref, "vae_decoder.latent_sample")),
          "sample",
          ref,
          "");
    }
  }

  @Test
  void aMissingKeyIsNamed() throws Exception {
    String gone = "model.diffusion_model.out.2.weight";
    Path file = rewrite("missing.safetensors", k -> !k.equals(gone), Map.of());
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(file, null, DownloadListener.NONE));
    assertThat(e.getMessage()).contains("1 of", "missing: " + gone).doesNotContain("\n");
    assertStoreUntouched();
  }

  @Test
  void anInpaintingCheckpointIsNamed() throws Exception {
    String convIn = "model.diffusion_model.input_blocks.0.0.weight";
    Path file =
        rewrite(
            "inpaint.safetensors", k -> !k.equals(convIn), Map.of(convIn, new float[16 * 9 * 9]));
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(file, null, DownloadListener.NONE));
    assertThat(e.getMessage())
        .contains(convIn + " (expected [16, 4, 3, 3], found [1296])")
        .doesNotContain("inpainting");
    Path shaped = tmp.resolve("inpaint2.safetensors");
    SafeTensorsWriter w = new SafeTensorsWriter();
    try (SafeTensors st = SafeTensors.open(resource("tiny-sd1.safetensors"))) {
      for (SafeTensors.TensorInfo t : st.tensors().values()) {
        if (t.dtype().isFloat() && !t.name().equals(convIn)) {
          w.add(t.name(), SafeTensors.DType.BF16, t.shape(), st.readFloats(t.name()));
        }
      }
    }
    w.add(convIn, SafeTensors.DType.BF16, new long[] {16, 9, 3, 3}, new float[16 * 9 * 9]);
    w.write(shaped);
    BadRequestException inpaint =
        assertThrows(BadRequestException.class, () -> run(shaped, null, DownloadListener.NONE));
    assertThat(inpaint.getMessage()).contains("an inpainting checkpoint (9 UNet input channels)");
    assertStoreUntouched();
  }

  @Test
  void aBfloat16CheckpointConvertsToTheSameWeights() throws Exception {
    Path file = tmp.resolve("bf16.safetensors");
    SafeTensorsWriter w = new SafeTensorsWriter();
    try (SafeTensors st = SafeTensors.open(resource("tiny-sd1.safetensors"))) {
      for (SafeTensors.TensorInfo t : st.tensors().values()) {
        if (t.dtype().isFloat()) {
          w.add(t.name(), SafeTensors.DType.BF16, t.shape(), st.readFloats(t.name()));
        }
      }
    }
    w.write(file);
    run(file, null, DownloadListener.NONE);
    // The converted conv_out bias is the bfloat16 value of each checkpoint value, as float32.
    Path folder = store().folder("bf16");
    CheckpointTemplate.Weight bias =
        CheckpointTemplate.load("sd1-tiny").stages().get(1).tensors().stream()
            .filter(t -> t.key().equals("model.diffusion_model.out.2.bias"))
            .findFirst()
            .orElseThrow();
    byte[] data = Files.readAllBytes(folder.resolve("unet/model.onnx_data"));
    ByteBuffer b =
        ByteBuffer.wrap(data, (int) bias.offset(), (int) bias.length())
            .order(ByteOrder.LITTLE_ENDIAN);
    try (SafeTensors st = SafeTensors.open(file)) {
      float[] want = st.readFloats("model.diffusion_model.out.2.bias");
      for (float v : want) {
        assertThat(b.getFloat()).isEqualTo(v);
      }
      assertThat(st.info("model.diffusion_model.out.2.bias").dtype())
          .isEqualTo(SafeTensors.DType.BF16);
    }
  }

  @Test
  void aTruncatedFileIsRefusedBeforeAnyWrite() throws Exception {
    byte[] all = Files.readAllBytes(resource("tiny-sd1.safetensors"));
    Path file = tmp.resolve("cut.safetensors");
    Files.write(file, java.util.Arrays.copyOf(all, all.length * 2 / 3));
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(file, null, DownloadListener.NONE));
    assertThat(e.getMessage()).contains("cut.safetensors", "truncated or corrupt");
    assertStoreUntouched();
  }

  @Test
  void aFileThatIsNotSafetensorsIsRefused() throws Exception {
    Path file = Files.writeString(tmp.resolve("notes.safetensors"), "hello, this is text");
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(file, null, DownloadListener.NONE));
    assertThat(e.getMessage()).contains("notes.safetensors", "expected a safetensors file");
    assertStoreUntouched();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "'{\"a\":{\"dtype\":\"F32\",\"shape\":[1000],\"data_offsets\":[0,4000]}}', data_offsets within",
    "'{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}', F8_E4M3",
    "'{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}', expected 16 bytes"
  })
  void aHeaderThatLiesOrAnUnknownDtypeIsRefused(String header, String expected) throws Exception {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Path file = Files.write(tmp.resolve("lies.safetensors"), b.array());
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(file, null, DownloadListener.NONE));
    assertThat(e.getMessage()).contains("lies.safetensors", expected);
    assertStoreUntouched();
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource({
    "conditioner.embedders.1.model.ln_final.weight, Stable Diffusion XL",
    "model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight, Stable Diffusion 3",
    "double_blocks.0.img_attn.qkv.weight, Flux",
    "lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight, a LoRA file"
  })
  void otherArchitecturesAreNamed(String key, String name) throws Exception {
    Path file = tmp.resolve("other.safetensors");
    new SafeTensorsWriter()
        .add(
            "model.diffusion_model.input_blocks.0.0.bias",
            SafeTensors.DType.F16,
            new long[] {2},
            new float[2])
        .add(key, SafeTensors.DType.F16, new long[] {2}, new float[2])
        .write(file);
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(file, null, DownloadListener.NONE));
    assertThat(e.getMessage()).contains("other.safetensors", name);
    assertStoreUntouched();
  }

  @Test
  void anSd2CheckpointWithoutItsYamlAsksForTheFamily() throws Exception {
    Path file = Files.copy(resource("tiny-sd2-v.safetensors"), tmp.resolve("sd2.safetensors"));
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(file, null, DownloadListener.NONE));
    assertThat(e.getMessage()).contains("--family sd2 or --family sd2-v", "sd2.yaml");
    assertStoreUntouched();
    BadRequestException wrong =
        assertThrows(BadRequestException.class, () -> run(file, "sd1", DownloadListener.NONE));
    assertThat(wrong.getMessage()).contains("--family sd1", "SD 2.x checkpoint");
    assertThat(run(file, "sd2-v", DownloadListener.NONE).plan().family().id()).isEqualTo("sd2-v");
  }

  @Test
  void theYamlBesideAnSd2CheckpointTellsVPrediction() throws Exception {
    CheckpointImport.Result r =
        run(resource("tiny-sd2-v.safetensors"), null, DownloadListener.NONE);
    assertThat(r.plan().family().id()).isEqualTo("sd2-v");
    assertThat(r.manifest().origin().conversion().familySource()).isEqualTo("tiny-sd2-v.yaml");
    assertThat(r.manifest().origin().conversion().keysIgnored())
        .isEqualTo(
            18); // the unused 3rd text layer (12), text_projection, logit_scale, EMA (2), schedule
    // (2)
  }

  @Test
  void aPickleCheckpointIsRefused() throws Exception {
    Path file = Files.writeString(tmp.resolve("old.ckpt"), "PK");
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(file, null, DownloadListener.NONE));
    assertThat(e.getMessage()).contains("old.ckpt", "expected a .safetensors file");
    assertStoreUntouched();
  }

  @Test
  void aFailureWhileWritingLeavesNothing() throws Exception {
    DownloadListener diskFull =
        p -> {
          if (p.phase() == DownloadProgress.Phase.CONVERTING) {
            throw new UncheckedIOException(new IOException("No space left on device"));
          }
        };
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class,
            () -> run(resource("tiny-sd1.safetensors"), null, diskFull));
    assertThat(e.getMessage()).contains("No space left");
    assertStoreUntouched();
  }

  @Test
  void anIoErrorWhileWritingIsOneLineAndLeavesNothing() throws Exception {
    ModelLoadException e =
        assertThrows(
            ModelLoadException.class,
            () ->
                store()
                    .installConverted(
                        "half",
                        ModelKind.PIPELINE,
                        "half.safetensors",
                        ModelManifest.Origin.imported(tmp),
                        false,
                        staging -> {
                          Files.createDirectories(staging.resolve("unet"));
                          Files.write(staging.resolve("unet/model.onnx_data"), new byte[1000]);
                          throw new IOException("No space left on device");
                        },
                        d -> {}));
    assertThat(e.getMessage())
        .isEqualTo(
            "import of half.safetensors failed: No space left on device (nothing was installed)");
    assertStoreUntouched();
  }

  /** The tiny SD1 checkpoint's float tensors, filtered, plus extra ones, as F32. */
  private Path rewrite(String name, Predicate<String> keep, Map<String, float[]> extra)
      throws IOException {
    SafeTensorsWriter w = new SafeTensorsWriter();
    try (SafeTensors st = SafeTensors.open(resource("tiny-sd1.safetensors"))) {
      for (SafeTensors.TensorInfo t : st.tensors().values()) {
        if (keep.test(t.name()) && t.dtype().isFloat()) {
          w.add(t.name(), SafeTensors.DType.F32, t.shape(), st.readFloats(t.name()));
        }
      }
    }
    extra.forEach((k, v) -> w.add(k, SafeTensors.DType.F32, new long[] {v.length}, v));
    Path file = tmp.resolve(name);
    w.write(file);
    return file;
  }
}

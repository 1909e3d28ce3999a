package atelier.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.model.DownloadListener;
import atelier.model.DownloadProgress;
import atelier.model.ModelFamily;
import atelier.model.ModelManifest;
import atelier.model.ModelStore;
import atelier.model.SafeTensors;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.pipeline.StableDiffusion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Diffusers-format folders ({@code tools/checkpoint/make_diffusers.py}: the weights of the tiny
 * single-file checkpoints under their diffusers names) convert to the very bytes the single-file
 * checkpoints convert to, so they give the same torch outputs; and every kind of bad folder is
 * refused with one line naming it, leaving the store as it was.
 */
class DiffusersFolderTest {
  @TempDir Path tmp;

  private static final Consumer<Path> LOADS =
      d -> StableDiffusion.load(d, SessionSettings.CPU).close();

  static Path folder(String name) {
    return CheckpointConformanceTest.checkpoints().resolve("diffusers").resolve(name);
  }

  private ModelStore store() {
    return new ModelStore(tmp.resolve("models"));
  }

  private CheckpointImport.Result run(Path dir, String family, DownloadListener listener) {
    return CheckpointImport.run(
        store(),
        new CheckpointImport.Request(dir, null, family, null, false),
        LOADS,
        listener,
        CancelToken.NONE);
  }

  private void assertStoreUntouched() throws IOException {
    Path root = store().root();
    if (Files.isDirectory(root)) {
      try (Stream<Path> s = Files.list(root)) {
        assertThat(s.filter(Files::isDirectory).toList()).isEmpty();
      }
    }
    assertThat(store().list()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // fp16 variant only, sharded UNet, the 2022 VAE attention names, Euler scheduler
    "tiny-sd1, tiny-sd1-fp16.safetensors, sd1, fp16.",
    // float32, current names, DDIM v_prediction scheduler
    "tiny-sd2-v, tiny-sd2-v.safetensors, sd2-v, ''"
  })
  void aFolderConvertsToTheBytesOfTheSameWeightsAsOneFile(
      String name, String single, String family, String prefix) throws Exception {
    Path fromFolder = tmp.resolve("folder");
    Path fromFile = tmp.resolve("file");
    try (DiffusersFolder d = DiffusersFolder.open(folder(name))) {
      DiffusersFolder.Plan plan = d.plan(null, CheckpointTemplate.available());
      assertThat(plan.family()).isEqualTo(ModelFamily.lookup(family));
      assertThat(plan.unused()).isEmpty();
      CheckpointConverter.write(plan, fromFolder, (f, b, t) -> {}, CancelToken.NONE);
    }
    CheckpointConformanceTest.convert(single, null, fromFile);
    for (String stage : List.of("text_encoder", "unet", "vae_encoder", "vae_decoder")) {
      assertThat(sha(fromFolder.resolve(stage + "/model.onnx_data")))
          .as(stage + " weights")
          .isEqualTo(sha(fromFile.resolve(stage + "/model.onnx_data")));
    }
    // the folder's own tokenizer and scheduler config are kept
    for (String f :
        List.of(
            "scheduler/scheduler_config.json",
            "tokenizer/vocab.json",
            "tokenizer/merges.txt",
            "tokenizer/tokenizer_config.json")) {
      assertThat(fromFolder.resolve(f)).as(f).hasSameBinaryContentAs(folder(name).resolve(f));
    }
    // and the converted UNet gives the torch outputs
    String base = single.replace("-fp16", "").replace(".safetensors", "");
    try (SafeTensors ref =
        SafeTensors.open(
            CheckpointConformanceTest.checkpoints().resolve(base + ".reference.safetensors"))) {
      CheckpointConformanceTest.check(
          fromFolder,
          "unet",
          Map.of(
              "sample", CheckpointConformanceTest.tensor(ref, "unet.sample"),
              "timestep", Tensor.floats(ref.readFloats("unet.timestep")),
              "encoder_hidden_states",
                  CheckpointConformanceTest.tensor(ref, "unet.encoder_hidden_states")),
          "out_sample",
          ref,
          prefix);
    }
  }

  @Test
  void anImportInstallsAFolderThatLoadsAndRecordsItsSource() throws Exception {
    List<DownloadProgress.Phase> phases = new ArrayList<>();
    CheckpointImport.Result r = run(folder("tiny-sd2-v"), null, p -> phases.add(p.phase()));
    ModelManifest m = r.manifest();
    assertThat(m.id()).isEqualTo("tiny-sd2-v");
    ModelManifest.Conversion c = m.origin().conversion();
    assertThat(c.family()).isEqualTo("sd2-v");
    assertThat(c.familySource())
        .isEqualTo(
            "text_encoder/config.json hidden_act gelu, scheduler prediction_type v_prediction");
    assertThat(c.template()).isEqualTo("sd2-tiny");
    // the listing of the weight files' hashes, in sha256sum form
    String listing =
        sha(folder("tiny-sd2-v").resolve("text_encoder/model.safetensors"))
            + "  text_encoder/model.safetensors\n"
            + sha(folder("tiny-sd2-v").resolve("unet/diffusion_pytorch_model.safetensors"))
            + "  unet/diffusion_pytorch_model.safetensors\n"
            + sha(folder("tiny-sd2-v").resolve("vae/diffusion_pytorch_model.safetensors"))
            + "  vae/diffusion_pytorch_model.safetensors\n";
    assertThat(c.sha256())
        .isEqualTo(
            HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(listing.getBytes())));
    assertThat(m.origin().importedFrom()).isEqualTo(folder("tiny-sd2-v").toString());
    assertThat(phases).contains(DownloadProgress.Phase.CONVERTING);
    assertThat(phases).doesNotContain(DownloadProgress.Phase.DOWNLOADING);
    assertThat(store().find("tiny-sd2-v")).isPresent();
  }

  @Test
  void familyFlagMustAgreeWithTheFolder() throws Exception {
    BadRequestException e =
        assertThrows(
            BadRequestException.class,
            () -> run(folder("tiny-sd2-v"), "sd1", DownloadListener.NONE));
    assertThat(e.getMessage()).contains("--family sd1", "SD 2.x folder", "expected --family sd2");
    assertStoreUntouched();
  }

  @Test
  void aVaeFileIsRefusedForAFolder() throws Exception {
    BadRequestException e =
        assertThrows(
            BadRequestException.class,
            () ->
                CheckpointImport.run(
                    store(),
                    new CheckpointImport.Request(
                        folder("tiny-sd1"), null, null, tmp.resolve("vae.safetensors"), false),
                    LOADS,
                    DownloadListener.NONE,
                    CancelToken.NONE));
    assertThat(e.getMessage()).contains("--vae", "diffusers folder", "expected no --vae");
    assertStoreUntouched();
  }

  @Test
  void aFolderWithoutUnetWeightsIsRefused() throws Exception {
    Path dir = copy("tiny-sd2-v");
    Files.delete(dir.resolve("unet/diffusion_pytorch_model.safetensors"));
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(dir, null, DownloadListener.NONE));
    assertThat(e.getMessage())
        .contains(
            dir.toString(),
            "expected the unet weights in unet/diffusion_pytorch_model.safetensors",
            "found config.json");
    assertStoreUntouched();
  }

  @Test
  void pickledWeightsAreNamedAndNotRead() throws Exception {
    Path dir = copy("tiny-sd2-v");
    Files.move(
        dir.resolve("unet/diffusion_pytorch_model.safetensors"),
        dir.resolve("unet/diffusion_pytorch_model.bin"));
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(dir, null, DownloadListener.NONE));
    assertThat(e.getMessage()).contains("diffusion_pytorch_model.bin", "pickled", "not read");
    assertStoreUntouched();
  }

  @Test
  void aMissingShardIsNamed() throws Exception {
    Path dir = copy("tiny-sd1");
    Files.delete(dir.resolve("unet/diffusion_pytorch_model.fp16-00002-of-00002.safetensors"));
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(dir, null, DownloadListener.NONE));
    assertThat(e.getMessage())
        .contains("diffusion_pytorch_model.fp16-00002-of-00002.safetensors", "no such file");
    assertStoreUntouched();
  }

  @Test
  void aShardIndexThatPointsOutsideItsFolderIsRefused() throws Exception {
    Path dir = copy("tiny-sd1");
    Path index = dir.resolve("unet/diffusion_pytorch_model.fp16.safetensors.index.json");
    Files.writeString(
        index,
        Files.readString(index)
            .replace(
                "\"diffusion_pytorch_model.fp16-00001-of-00002.safetensors\"",
                "\"../vae/diffusion_pytorch_model.fp16.safetensors\""));
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(dir, null, DownloadListener.NONE));
    assertThat(e.getMessage())
        .contains(index.toString(), "expected shard file names beside it", "../vae/");
    assertStoreUntouched();
  }

  @Test
  void aMissingWeightIsNamed() throws Exception {
    Path dir = copy("tiny-sd2-v");
    // a VAE of another model family: the template's mid-block attention is missing
    Path index = dir.resolve("vae/diffusion_pytorch_model.safetensors");
    try (SafeTensors st = SafeTensors.open(index)) {
      atelier.model.SafeTensorsWriter w = new atelier.model.SafeTensorsWriter();
      for (SafeTensors.TensorInfo t : st.tensors().values()) {
        if (!t.name().contains("decoder.mid_block.attentions.0.to_q.")) {
          w.add(t.name(), SafeTensors.DType.F32, t.shape(), st.readFloats(t.name()));
        }
      }
      w.write(tmp.resolve("vae.safetensors"));
    }
    Files.move(tmp.resolve("vae.safetensors"), index, StandardCopyOption.REPLACE_EXISTING);
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(dir, null, DownloadListener.NONE));
    assertThat(e.getMessage())
        .contains("found 2 of", "missing: vae/decoder.mid_block.attentions.0.to_q.");
    assertStoreUntouched();
  }

  @Test
  void anSdxlFolderIsNamedAsUnsupported() throws Exception {
    Path dir = copy("tiny-sd1");
    Files.createDirectories(dir.resolve("text_encoder_2"));
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(dir, null, DownloadListener.NONE));
    assertThat(e.getMessage())
        .contains(dir.toString(), "Stable Diffusion XL folder", "text_encoder_2/", "SDXL cannot");
    assertStoreUntouched();
  }

  @Test
  void aTransformerFolderIsNamedAsUnsupported() throws Exception {
    Path dir = copy("tiny-sd1");
    Path index = dir.resolve("model_index.json");
    Files.writeString(
        index,
        Files.readString(index)
            .replace("\"StableDiffusionPipeline\"", "\"StableDiffusion3Pipeline\"")
            .replace("\"unet\":", "\"transformer\":"));
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> run(dir, null, DownloadListener.NONE));
    assertThat(e.getMessage())
        .contains("StableDiffusion3Pipeline folder", "transformer/ in place of unet/");
    assertStoreUntouched();
  }

  @Test
  void onlyFoldersOfWeightsAreDiffusersFolders() throws Exception {
    assertThat(DiffusersFolder.isDiffusers(folder("tiny-sd1"))).isTrue();
    Path onnx = copy("tiny-sd1");
    Files.writeString(onnx.resolve("unet/model.onnx"), "graph");
    assertThat(DiffusersFolder.isDiffusers(onnx)).isFalse();
    assertThat(DiffusersFolder.isDiffusers(folder("tiny-sd1").resolve("model_index.json")))
        .isFalse();
  }

  private Path copy(String name) throws IOException {
    Path src = folder(name);
    Path dst = tmp.resolve("src").resolve(name);
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return dst;
  }

  private static String sha(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}

package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code atelier models import FILE.safetensors} end to end on the tiny checkpoints: converted,
 * installed, generating; an SD 2.x file without its .yaml asks for --family; nothing is left behind
 * by a refusal.
 */
class CheckpointImportCommandTest {
  @TempDir Path tmp;

  private static Path checkpoint(String name) {
    return TestPaths.repoRoot().resolve("core/src/test/resources/checkpoints").resolve(name);
  }

  @Test
  void aCheckpointIsConvertedInstalledAndGenerates() throws Exception {
    Path home = tmp.resolve("home");
    Path file =
        Files.copy(checkpoint("tiny-sd1-fp16.safetensors"), tmp.resolve("dream_8.safetensors"));
    CliRun r = CliRun.of("--home", home.toString(), "models", "import", file.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("converted " + file, "Stable Diffusion 1.x", "installed dream_8")
        .contains("weights converted", "5 keys ignored");
    CliRun list = CliRun.of("--home", home.toString(), "models", "list");
    assertThat(list.out()).containsPattern("dream_8 +pipeline .* ready");
    Path out = tmp.resolve("a.png");
    CliRun gen =
        CliRun.of(
            "--home",
            home.toString(),
            "generate",
            "a lighthouse",
            "--model",
            "dream_8",
            "--steps",
            "2",
            "-W",
            "64",
            "-H",
            "64",
            "--seed",
            "1",
            "--out",
            out.toString());
    assertThat(gen.exitCode()).as(gen.err()).isZero();
    assertThat(out).exists();
    CliRun again = CliRun.of("--home", home.toString(), "models", "import", file.toString());
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("dream_8 is already installed", "--replace");
  }

  @Test
  void aDiffusersFolderIsConvertedWithItsPhaseShownAndGenerates() throws Exception {
    Path home = tmp.resolve("home");
    Path dir = checkpoint("diffusers/tiny-sd1");
    CliRun r =
        CliRun.of("--home", home.toString(), "models", "import", dir.toString(), "--id", "d1");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("converted " + dir, "Stable Diffusion 1.x", "installed d1", "weights converted");
    assertThat(r.err())
        .contains("atelier: d1 converting: writing unet/model.onnx_data")
        .doesNotContain("DOWNLOADING");
    CliRun gen =
        CliRun.of(
            "--home",
            home.toString(),
            "generate",
            "a lighthouse",
            "--model",
            "d1",
            "--steps",
            "1",
            "-W",
            "64",
            "-H",
            "64",
            "--out",
            tmp.resolve("d.png").toString());
    assertThat(gen.exitCode()).as(gen.err()).isZero();
  }

  @Test
  void anSdxlFolderIsRefusedInOneLine() throws Exception {
    Path home = tmp.resolve("home");
    Path dir = tmp.resolve("sdxl");
    Files.createDirectories(dir.resolve("unet"));
    Files.createDirectories(dir.resolve("text_encoder_2"));
    Files.writeString(
        dir.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionXLPipeline\"}");
    Files.writeString(dir.resolve("unet/diffusion_pytorch_model.safetensors"), "x");
    CliRun r = CliRun.of("--home", home.toString(), "models", "import", dir.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip())
        .doesNotContain("\n")
        .contains(dir.toString(), "Stable Diffusion XL folder", "SDXL cannot be converted");
    assertThat(home.resolve("models/sdxl")).doesNotExist();
  }

  @Test
  void anSd2CheckpointWithoutItsYamlNeedsTheFamily() throws Exception {
    Path home = tmp.resolve("home");
    Path file = Files.copy(checkpoint("tiny-sd2-v.safetensors"), tmp.resolve("sd21.safetensors"));
    CliRun r = CliRun.of("--home", home.toString(), "models", "import", file.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n").contains("--family sd2 or --family sd2-v");
    assertThat(home.resolve("models/sd21")).doesNotExist();
    CliRun ok =
        CliRun.of(
            "--home",
            home.toString(),
            "models",
            "import",
            file.toString(),
            "--family",
            "sd2-v",
            "--id",
            "v21",
            "--json");
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("\"family\":\"sd2-v\"", "\"familySource\":\"--family\"");
  }

  @Test
  void checkpointOptionsOnAFolderAreRefused() {
    CliRun r =
        CliRun.of(
            "--home",
            tmp.resolve("home").toString(),
            "models",
            "import",
            TestPaths.tinyModel("sd15-optimum-1.22").toString(),
            "--family",
            "sd1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--family: expected a .safetensors checkpoint to convert");
  }
}

package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.pipeline.ArtworkPng;
import atelier.pipeline.ImageRecord;
import atelier.testing.TestPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate --vae taesd[:DIR]} on the tiny SD 1.5 model and the tiny TAESD. */
class TaesdCommandTest {
  static final Path TAESD =
      TestPaths.repoRoot().resolve("core/src/test/resources/models/taesd-tiny");

  private static CliRun generate(Path home, Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--home",
                home.toString(),
                "generate",
                "a lighthouse",
                "--model",
                TestPaths.tinyModel("sd15-optimum-1.22").toString(),
                "--steps",
                "2",
                "-W",
                "64",
                "-H",
                "64",
                "--seed",
                "3",
                "--out",
                out.toString()));
    args.addAll(Arrays.asList(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void decodesWithTaesdFromAFolderAndTheRecordSaysSo(@TempDir Path dir) throws Exception {
    Path vae = dir.resolve("vae.png");
    Path tiny = dir.resolve("taesd.png");
    CliRun a = generate(dir, vae);
    CliRun b = generate(dir, tiny, "--vae", "taesd:" + TAESD);
    assertThat(a.exitCode()).as(a.err()).isZero();
    assertThat(b.exitCode()).as(b.err()).isZero();
    ImageRecord r = ArtworkPng.read(tiny);
    assertThat(r.warnings()).anyMatch(n -> n.startsWith("decoded with TAESD " + TAESD));
    assertThat(ArtworkPng.read(vae).warnings()).noneMatch(n -> n.contains("TAESD"));
    assertThat(java.nio.file.Files.readAllBytes(tiny))
        .isNotEqualTo(java.nio.file.Files.readAllBytes(vae));
  }

  @Test
  void plainTaesdLooksInTheDataFolder(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("x.png");
    CliRun missing = generate(dir, out, "--vae", "taesd");
    assertThat(missing.exitCode()).isEqualTo(3);
    assertThat(missing.err())
        .contains(dir.resolve("models/taesd/vae_decoder/model.onnx").toString())
        .doesNotContain("\tat ");
    assertThat(out).doesNotExist();

    Path installed = dir.resolve("models/taesd/vae_decoder");
    java.nio.file.Files.createDirectories(installed);
    java.nio.file.Files.copy(
        TAESD.resolve("vae_decoder/model.onnx"), installed.resolve("model.onnx"));
    CliRun ok = generate(dir, out, "--vae", "taesd");
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ArtworkPng.read(out).warnings()).anyMatch(n -> n.startsWith("decoded with TAESD "));
  }

  @Test
  void anotherVaeNameIsABadRequest(@TempDir Path dir) {
    Path out = dir.resolve("x.png");
    CliRun r = generate(dir, out, "--vae", "kl-f8");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--vae", "taesd:FOLDER", "'kl-f8'").doesNotContain("\tat ");
    assertThat(out).doesNotExist();
  }
}

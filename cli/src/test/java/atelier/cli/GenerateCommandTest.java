package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.pipeline.ArtworkPng;
import atelier.pipeline.ImageRecord;
import atelier.testing.Golden;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code atelier generate} end to end on the tiny models of every exporter layout. */
class GenerateCommandTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "sd15-diffusers",
        "sd15-optimum-1.22",
        "sd21v-optimum",
        "sd-turbo-optimum",
        "lcm-optimum"
      })
  void textToImageAndImageToImageOnEveryLayout(String model, @TempDir Path dir) throws Exception {
    String m = TestPaths.tinyModel(model).toString();
    Path t2i = dir.resolve("t2i.png");
    CliRun a =
        CliRun.of(
            "generate",
            "a photo of a cat",
            "--model",
            m,
            "--steps",
            "2",
            "-W",
            "64",
            "-H",
            "64",
            "--seed",
            "5",
            "--out",
            t2i.toString());
    assertThat(a.exitCode()).as(a.err()).isZero();
    assertThat(a.out()).contains("wrote " + t2i).contains("(seed 5)");
    ImageRecord r = ArtworkPng.read(t2i);
    assertThat(r.settings().seed()).isEqualTo(5);
    assertThat(r.model().id()).isEqualTo(model);
    assertThat(ArtworkPng.texts(t2i).get("parameters"))
        .startsWith("a photo of a cat\n")
        .contains("Steps: 2", "Seed: 5", "Size: 64x64", "Model: " + model);

    Path i2i = dir.resolve("i2i.png");
    CliRun b =
        CliRun.of(
            "generate",
            "a castle",
            "--model",
            m,
            "--steps",
            "4",
            "-W",
            "64",
            "-H",
            "64",
            "--seed",
            "6",
            "--init",
            Golden.dir().resolve("basemap-64.png").toString(),
            "--strength",
            "0.5",
            "--out",
            i2i.toString());
    assertThat(b.exitCode()).as(b.err()).isZero();
    ImageRecord r2 = ArtworkPng.read(i2i);
    assertThat(r2.settings().strength()).isEqualTo(0.5);
    assertThat(r2.settings().initSha256()).hasSize(64);
  }

  @Test
  void fromRerunsAStoredImageBitIdentically(@TempDir Path dir) throws Exception {
    String m = TestPaths.tinyModel("sd15-optimum-1.22").toString();
    Path first = dir.resolve("first");
    CliRun a =
        CliRun.of(
            "generate",
            "a (lighthouse:1.2) in a storm",
            "-n",
            "blurry",
            "--model",
            m,
            "--steps",
            "3",
            "--scheduler",
            "euler-a",
            "--batch",
            "2",
            "--seed",
            "100",
            "--out",
            first.toString());
    assertThat(a.exitCode()).as(a.err()).isZero();
    Path second = first.resolve("00002-101.png");
    assertThat(second).exists();
    Path again = dir.resolve("again.png");
    CliRun b = CliRun.of("generate", "--from", second.toString(), "--out", again.toString());
    assertThat(b.exitCode()).as(b.err()).isZero();
    assertThat(pixels(again)).isEqualTo(pixels(second));
    ImageRecord r = ArtworkPng.read(again);
    assertThat(r.settings()).isEqualTo(ArtworkPng.read(second).settings());
  }

  @Test
  void jsonOutputIsOneDocumentWithEveryImage(@TempDir Path dir) throws Exception {
    String m = TestPaths.tinyModel("sd-turbo-optimum").toString();
    CliRun a =
        CliRun.of(
            "generate",
            "a fox",
            "--model",
            m,
            "--batch",
            "2",
            "--seed",
            "9",
            "--out",
            dir.toString(),
            "--json");
    assertThat(a.exitCode()).as(a.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(a.out());
    assertThat(root.get("images")).hasSize(2);
    assertThat(root.get("images").get(1).get("seed").asLong()).isEqualTo(10);
    assertThat(root.get("images").get(0).get("record").get("settings").get("steps").asInt())
        .isEqualTo(1);
    assertThat(Path.of(root.get("images").get(0).get("file").asText())).exists();
  }

  @Test
  void badInputGivesAOneLineErrorAnExitCodeAndWritesNothing(@TempDir Path dir) throws Exception {
    String m = TestPaths.tinyModel("sd15-optimum-1.22").toString();
    Path out = dir.resolve("out");
    String[][] cases = {
      {"-W", "100"},
      {"--steps", "0"},
      {"--strength", "1.5", "--init", Golden.dir().resolve("basemap-64.png").toString()},
      {"--scheduler", "DPM++ 3M"},
      {"--init", dir.resolve("missing.png").toString()},
    };
    String[] messages = {
      "width: expected a multiple of 8 from 8 to 8192 pixels, found 100",
      "steps: expected 1 to 1000, found 0",
      "strength: expected more than 0 and at most 1, found 1.5",
      "scheduler",
      "init image: expected an image file at",
    };
    for (int i = 0; i < cases.length; i++) {
      String[] args =
          Stream.concat(
                  Stream.of("generate", "x", "--model", m, "--out", out.toString()),
                  Stream.of(cases[i]))
              .toArray(String[]::new);
      CliRun r = CliRun.of(args);
      assertThat(r.exitCode()).as(String.join(" ", cases[i])).isEqualTo(2);
      assertThat(r.err()).contains(messages[i]);
      assertThat(r.err().strip().lines()).hasSize(1);
    }
    Path notAnImage = Files.writeString(dir.resolve("x.png"), "not an image");
    CliRun r =
        CliRun.of(
            "generate",
            "x",
            "--model",
            m,
            "--init",
            notAnImage.toString(),
            "--out",
            out.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("unreadable");
    CliRun missing =
        CliRun.of(
            "generate", "x", "--model", dir.resolve("nomodel").toString(), "--out", out.toString());
    assertThat(missing.exitCode()).isEqualTo(3);
    assertThat(missing.err()).contains("nomodel");
    assertThat(out).doesNotExist();
  }

  @Test
  void jsonErrorsAreJsonToo(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("generate", "x", "--model", dir.toString(), "--json");
    assertThat(r.exitCode()).isEqualTo(3);
    JsonNode e = new ObjectMapper().readTree(r.out()).get("error");
    assertThat(e.get("kind").asText()).isEqualTo("model_load");
    assertThat(e.get("message").asText()).contains("missing");
  }

  @Test
  void cudaOnACpuOnlyBuildFailsClearly(@TempDir Path dir) {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        ai.onnxruntime.OrtEnvironment.getAvailableProviders()
            .contains(ai.onnxruntime.OrtProvider.CUDA),
        "this ONNX Runtime build has the CUDA provider");
    CliRun r =
        CliRun.of(
            "generate",
            "x",
            "--model",
            TestPaths.tinyModel("sd-turbo-optimum").toString(),
            "--device",
            "cuda",
            "--out",
            dir.resolve("o").toString());
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.err())
        .contains("device cuda: expected ONNX Runtime with the CUDA execution provider")
        .contains("-Pcuda")
        .contains("--device cpu");
    assertThat(dir.resolve("o")).doesNotExist();
    CliRun unknown = CliRun.of("generate", "x", "--device", "tpu");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("device: expected one of cpu, cuda, found 'tpu'");
  }

  private static int[] pixels(Path png) throws Exception {
    var img = javax.imageio.ImageIO.read(png.toFile());
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }
}

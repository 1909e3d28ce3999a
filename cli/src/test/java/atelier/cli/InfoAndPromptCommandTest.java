package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfoAndPromptCommandTest {

  @Test
  void infoPrintsTheStoredParametersAndRecord(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("a.png");
    CliRun g =
        CliRun.of(
            "generate",
            "a cat",
            "--model",
            TestPaths.tinyModel("sd-turbo-optimum").toString(),
            "--seed",
            "3",
            "--out",
            png.toString());
    assertThat(g.exitCode()).as(g.err()).isZero();
    CliRun info = CliRun.of("info", png.toString());
    assertThat(info.exitCode()).isZero();
    assertThat(info.out()).contains("a cat\nSteps: 1, Sampler: Euler, CFG scale: 0, Seed: 3");
    CliRun json = CliRun.of("info", png.toString(), "--json");
    JsonNode root = new ObjectMapper().readTree(json.out());
    assertThat(root.get("record").get("settings").get("seed").asLong()).isEqualTo(3);
    Path plain = Files.write(dir.resolve("b.png"), Files.readAllBytes(png)).resolveSibling("c.txt");
    Files.writeString(plain, "x");
    CliRun bad = CliRun.of("info", plain.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains(plain.toString());
  }

  @Test
  void promptInspectShowsIdsWeightsAndChunks() throws Exception {
    Path model = TestPaths.tinyModel("sd15-diffusers");
    TestPaths.requireShared("clip-tokenizer"); // the model carries the real vocabulary; ids below
    CliRun r =
        CliRun.of(
            "prompt", "inspect", "a photo of a (cat:1.5)", "--model", model.toString(), "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode chunk =
        new ObjectMapper().readTree(r.out()).get("prompt").get("parts").get(0).get("chunks").get(0);
    assertThat(chunk.get("tokens"))
        .extracting(t -> t.get("id").asInt())
        .containsExactly(49406, 320, 1125, 539, 320, 2368, 49407);
    assertThat(chunk.get("tokens").get(5).get("weight").asDouble()).isEqualTo(1.5);
    CliRun text = CliRun.of("prompt", "inspect", "a castle:2 | fog:1", "--model", model.toString());
    assertThat(text.exitCode()).isZero();
    assertThat(text.out()).contains("castle");
  }
}

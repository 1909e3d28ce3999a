package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.diffusion.SchedulerKind;
import atelier.pipeline.ArtworkPng;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulersCommandTest {

  @Test
  void listsEveryKindWithItsA1111Name() throws Exception {
    CliRun r = CliRun.of("schedulers");
    assertThat(r.exitCode()).as(r.err()).isZero();
    for (SchedulerKind kind : SchedulerKind.values()) {
      assertThat(r.out()).contains(kind.cliName()).contains("\"" + kind.a1111Name() + "\"");
    }
    assertThat(r.out()).contains("dpm++2m-karras").contains("\"DPM++ 2M Karras\"");
    CliRun json = CliRun.of("schedulers", "--json");
    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode list = new ObjectMapper().readTree(json.out()).get("schedulers");
    assertThat(list).hasSize(SchedulerKind.values().length);
    assertThat(list.get(1).get("name").asText()).isEqualTo("euler-a");
    assertThat(list.get(1).get("a1111").asText()).isEqualTo("Euler a");
    assertThat(list.get(1).get("diffusers").asText()).isEqualTo("EulerAncestralDiscreteScheduler");
  }

  @Test
  void generateTakesA1111NamesAndWritesThemInTheParameters(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("a.png");
    CliRun g =
        CliRun.of(
            "generate",
            "a cat",
            "--model",
            TestPaths.tinyModel("sd15-optimum-1.22").toString(),
            "-s",
            "dpm++ 2M KARRAS",
            "--steps",
            "2",
            "--seed",
            "3",
            "--out",
            png.toString());
    assertThat(g.exitCode()).as(g.err()).isZero();
    assertThat(ArtworkPng.read(png).settings().scheduler()).isEqualTo("dpm++2m-karras");
    CliRun info = CliRun.of("info", png.toString());
    assertThat(info.out()).contains("Steps: 2, Sampler: DPM++ 2M Karras, CFG scale");
    CliRun bad =
        CliRun.of(
            "generate",
            "a cat",
            "--model",
            TestPaths.tinyModel("sd15-optimum-1.22").toString(),
            "-s",
            "Euler b",
            "--out",
            dir.resolve("b.png").toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err().strip())
        .startsWith("atelier: scheduler: expected one of [euler, euler-a,")
        .contains("A1111's [Euler, Euler a,")
        .endsWith("found \"Euler b\"");
  }
}

package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.image.PngText;
import atelier.pipeline.ArtworkPng;
import atelier.recipe.ProvenancePng;
import atelier.recipe.SweepRunner;
import atelier.testing.HostileFiles;
import atelier.testing.TestPaths;
import atelier.upscale.UpscalePng;
import atelier.upscale.UpscaleRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code info} on every kind of Atelier chunk, and malformed records through info and --from. */
class InfoRecordsTest {
  @TempDir Path dir;

  private Path png(String name, Map<String, String> texts) throws Exception {
    return Files.write(
        dir.resolve(name),
        PngText.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), texts));
  }

  private static void badRequest(CliRun r, String... parts) {
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(parts).doesNotContain("\tat ");
  }

  @Test
  void infoRefusesARecordThatIsNotJson() throws Exception {
    Path p = png("a.png", Map.of("atelier", "{not json", "parameters", "a cat"));
    badRequest(
        CliRun.of("info", p.toString()),
        p.toString(),
        "expected JSON in PNG text chunk 'atelier' (atelier record), found text that is not JSON");
    CliRun j = CliRun.of("info", p.toString(), "--json");
    assertThat(j.exitCode()).isEqualTo(2);
    assertThat(j.out()).contains("\"bad_request\"", "chunk 'atelier'");
  }

  @Test
  void fromNamesTheMissingFieldOfARecord() throws Exception {
    String model = TestPaths.tinyModel("sd-turbo-optimum").toString();
    Path out = dir.resolve("out.png");
    Path nullModel =
        png("m.png", Map.of("atelier", "{\"model\":null,\"settings\":{\"prompt\":\"a cat\"}}"));
    badRequest(
        CliRun.of("generate", "--from", nullModel.toString(), "-o", out.toString()),
        "image " + nullModel + ": the Atelier record has no \"model\"");
    badRequest(
        CliRun.of(
            "generate", "--from", nullModel.toString(), "--model", model, "-o", out.toString()),
        "has no \"model\"");
    Path noSettings =
        png(
            "s.png",
            Map.of(
                "atelier",
                "{\"model\":{\"id\":\"m\",\"path\":\"" + model + "\",\"sha256\":\"ab\"}}"));
    CliRun r = CliRun.of("generate", "--from", noSettings.toString(), "-o", out.toString());
    badRequest(
        r, "the Atelier record has no \"settings\"; expected the settings that made the image");
    assertThat(r.err()).doesNotContain("expected a prompt (or --from IMAGE.png)");
    assertThat(out).doesNotExist();
  }

  @Test
  void aTextChunkWithAWrongCrcIsRefused() throws Exception {
    Path p =
        HostileFiles.pngWith(
            dir.resolve("crc.png"), HostileFiles.tEXt("parameters", "a cat\nSteps: 20", true));
    badRequest(
        CliRun.of("info", p.toString()), p.toString(), "text chunk tEXt at byte 33 is damaged");
    badRequest(CliRun.of("generate", "--from", p.toString()), "is damaged: expected CRC");
  }

  @Test
  void infoShowsEveryAtelierChunkInTextAndJson() throws Exception {
    // a basemap made by the basemap command (its real writer)
    Path base = dir.resolve("base.png");
    CliRun b = CliRun.of("basemap", "--canvas", "16,16", "--op", "blur:1", "-o", base.toString());
    assertThat(b.exitCode()).as(b.err()).isZero();
    CliRun bi = CliRun.of("info", base.toString());
    assertThat(bi.exitCode()).as(bi.err()).isZero();
    assertThat(bi.out()).contains("Basemap chain (atelier-basemap):").contains("blur");

    Map<String, String> texts = new LinkedHashMap<>();
    texts.put(ArtworkPng.PARAMETERS, "a cat\nSteps: 20, Sampler: Euler");
    texts.put(ArtworkPng.RECORD, "{\"settings\":{\"prompt\":\"a cat\",\"seed\":3}}");
    texts.put(
        ProvenancePng.PROVENANCE, "{\"recipe\":{\"name\":\"art-name\",\"version\":\"1.0.0\"}}");
    texts.put(SweepRunner.SWEEP, "{\"x\":{\"name\":\"guidance\"},\"files\":[\"a.png\"]}");
    texts.put("Software", "something else");
    // the upscale chunks as the upscaler writes them
    texts =
        UpscalePng.texts(
            texts,
            new UpscaleRecord(
                "atelier 0.1.0",
                "esrgan-thick",
                "ab12",
                4,
                4,
                1,
                0,
                24,
                "separate",
                8,
                8,
                32,
                32,
                5));
    Path all = png("all.png", texts);
    CliRun t = CliRun.of("info", all.toString());
    assertThat(t.exitCode()).as(t.err()).isZero();
    assertThat(t.out())
        .startsWith("a cat\nSteps: 20, Sampler: Euler\n")
        .contains("Atelier record (atelier):")
        .contains("Recipe provenance (atelier-provenance):", "\"art-name\"")
        .contains("Upscale steps (atelier-upscale):", "\"esrgan-thick\"")
        .contains("Postprocessing (A1111) (postprocessing):\nPostprocess upscale by: 4")
        .contains("Sweep grid (atelier-sweep):", "\"guidance\"")
        .contains("Other text chunk 'Software':\nsomething else");
    CliRun j = CliRun.of("info", all.toString(), "--json");
    assertThat(j.exitCode()).as(j.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(j.out());
    assertThat(root.get("parameters").asText()).startsWith("a cat");
    assertThat(root.get("record").get("settings").get("seed").asInt()).isEqualTo(3);
    assertThat(root.get("provenance").get("recipe").get("name").asText()).isEqualTo("art-name");
    assertThat(root.get("upscale").get(0).get("scale").asInt()).isEqualTo(4);
    assertThat(root.get("postprocessing").asText()).contains("esrgan-thick");
    assertThat(root.get("sweep").get("files").get(0).asText()).isEqualTo("a.png");
    assertThat(root.get("other").get("Software").asText()).isEqualTo("something else");
    Path none = png("none.png", Map.of("Software", "x"));
    badRequest(CliRun.of("info", none.toString()), "found only [Software]");
  }
}

package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in judge on the command line: the default ranker of {@code quality score}, {@code
 * generate --candidates}; {@code quality dataset} feeding {@code quality train} (forest by default)
 * and {@code quality evaluate}.
 */
class QualityJudgeCommandTest {
  @TempDir Path dir;

  private static BufferedImage pattern(int seed) {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        int v = (int) (128 + 100 * Math.sin((x + seed * 7) / 5.0) * Math.cos((y - seed) / 7.0));
        img.setRGB(x, y, (v << 16) | ((255 - v) << 8) | (x * 4));
      }
    }
    return img;
  }

  private Path goodImages(int n) throws Exception {
    Path src = dir.resolve("good-images");
    Files.createDirectories(src);
    for (int i = 0; i < n; i++) {
      ImageIO.write(pattern(i), "png", src.resolve("art" + i + ".png").toFile());
    }
    return src;
  }

  @Test
  void qualityScoreRanksWithTheBuiltInJudgeByDefault() throws Exception {
    Path src = goodImages(2);
    CliRun r = CliRun.of("quality", "score", src.toString(), "--json", "--home", dir.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertThat(root.get("ranked_by").asText()).isEqualTo("quality:default");
    assertThat(root.get("images").get(0).get("scorers").get("quality:default").get("overall"))
        .isNotNull();
    assertThat(r.err()).doesNotContain("note:");
  }

  @Test
  void generateCandidatesRankWithTheBuiltInJudgeByDefault() throws Exception {
    Path out = dir.resolve("out");
    CliRun r =
        CliRun.of(
            "generate",
            "a lighthouse",
            "--model",
            TestPaths.tinyModel("sd15-optimum-1.22").toString(),
            "--steps",
            "1",
            "-W",
            "64",
            "-H",
            "64",
            "--seed",
            "3",
            "--candidates",
            "2",
            "--keep",
            "1",
            "--out",
            out.toString(),
            "--home",
            dir.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode report = new ObjectMapper().readTree(out.resolve("selection-3.json").toFile());
    assertThat(report.get("ranked_by").asText()).isEqualTo("quality:default");
  }

  @Test
  void datasetFeedsTrainWhoseDefaultIsTheForestAndEvaluate() throws Exception {
    Path src = goodImages(5);
    Path set = dir.resolve("set");
    CliRun d = CliRun.of("quality", "dataset", src.toString(), "-o", set.toString(), "--json");
    assertThat(d.exitCode()).as(d.err()).isZero();
    JsonNode made = new ObjectMapper().readTree(d.out());
    assertThat(made.get("images").asInt()).isEqualTo(15); // a 64² image gives one crop
    assertThat(made.get("groups").asInt()).isEqualTo(5);

    Path model = dir.resolve("m.tribuo");
    CliRun t =
        CliRun.of(
            "quality",
            "train",
            "--data",
            set.resolve("labels.csv").toString(),
            "-o",
            model.toString(),
            "--json",
            "--home",
            dir.toString());
    assertThat(t.exitCode()).as(t.err()).isZero();
    JsonNode trained = new ObjectMapper().readTree(t.out());
    assertThat(trained.get("trainer").asText()).isEqualTo("forest");
    assertThat(trained.get("groups").asInt()).isEqualTo(5);

    CliRun e =
        CliRun.of(
            "quality",
            "evaluate",
            "--data",
            set.toString(),
            "--scorers",
            "quality:default,technical,quality:" + model,
            "--home",
            dir.toString());
    assertThat(e.exitCode()).as(e.err()).isZero();
    assertThat(e.out())
        .contains("good 5, average 5, poor 5 images")
        .containsPattern("(?m)^quality:default +[01]\\.\\d{3} ")
        .containsPattern("(?m)^technical +[01]\\.\\d{3} ")
        .containsPattern("(?m)^quality:m +[01]\\.\\d{3} ");
  }

  @Test
  void badRequestsAreOneLineAndWriteNothing() throws Exception {
    Path src = goodImages(1);
    Path set = dir.resolve("set");
    CliRun zero =
        CliRun.of("quality", "dataset", src.toString(), "-o", set.toString(), "--crops", "0");
    assertThat(zero.exitCode()).isEqualTo(2);
    assertThat(zero.err().strip())
        .isEqualTo("atelier: --crops: expected 1 to 64 crops per image, found 0");
    assertThat(set).doesNotExist();

    CliRun reserved =
        CliRun.of(
            "quality",
            "train",
            "--data",
            src.toString(),
            "--name",
            "default",
            "--home",
            dir.toString());
    assertThat(reserved.exitCode()).isEqualTo(2);
    assertThat(reserved.err().strip())
        .isEqualTo(
            "atelier: --name: expected a name other than 'default' (quality:default is the"
                + " built-in judge), found 'default'; choose another name or give -o FILE");
    assertThat(dir.resolve("quality")).doesNotExist();
  }
}

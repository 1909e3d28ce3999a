package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.pipeline.ArtworkPng;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate --candidates N --keep K [--min-score X]} end to end on a tiny SD 1.5 model: the
 * kept files, the JSON report (every candidate's seed, scores, why it was rejected) and the printed
 * yield. The threshold of the second run is taken from the first run's own scores, so the test
 * knows how many must pass without assuming what a random tiny model paints.
 */
class BestOfNTest {
  static final int N = 5;
  static final long SEED = 40;

  static CliRun generate(Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "generate",
                "a lighthouse at dusk",
                "--model",
                TestPaths.tinyModel("sd15-optimum-1.22").toString(),
                "--steps",
                "2",
                "-W",
                "64",
                "-H",
                "64",
                "--seed",
                String.valueOf(SEED),
                "--candidates",
                String.valueOf(N),
                // technical, whose reasons this test reads; QualityJudgeCommandTest checks the
                // default ranker (the built-in judge)
                "--scorer",
                "technical",
                "--out",
                out.toString()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  static List<Path> pngs(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("\\d{5}-\\d+\\.png")).toList();
    }
  }

  @Test
  void keepsTheBestWritesTheReportAndPrintsTheYield(@TempDir Path dir) throws Exception {
    Path first = dir.resolve("first");
    CliRun a = generate(first, "--keep", "2");
    assertThat(a.exitCode()).as(a.err()).isZero();

    JsonNode report = new ObjectMapper().readTree(first.resolve("selection-40.json").toFile());
    assertThat(report.get("candidates").asInt()).isEqualTo(N);
    assertThat(report.get("keep").asInt()).isEqualTo(2);
    assertThat(report.get("ranked_by").asText()).isEqualTo("technical");
    JsonNode images = report.get("images");
    assertThat(images).hasSize(N);
    Set<Long> seeds = new HashSet<>();
    List<Long> keptSeeds = new ArrayList<>();
    double previous = Double.POSITIVE_INFINITY;
    int passed = 0;
    for (int i = 0; i < N; i++) {
      JsonNode c = images.get(i);
      assertThat(c.get("rank").asInt()).isEqualTo(i + 1);
      seeds.add(c.get("seed").asLong());
      JsonNode technical = c.get("scorers").get("technical");
      assertThat(technical.get("overall").asDouble()).isEqualTo(c.get("score").asDouble());
      assertThat(technical.get("scores").get("sharpness").get("reason").asText()).isNotBlank();
      boolean failed = technical.get("failures").size() > 0;
      if (!failed) {
        // Best first among the candidates that did not fail outright.
        assertThat(c.get("score").asDouble()).isLessThanOrEqualTo(previous);
        previous = c.get("score").asDouble();
      }
      if (c.get("kept").asBoolean()) {
        assertThat(c.has("rejected")).isFalse();
        keptSeeds.add(c.get("seed").asLong());
        Path file = Path.of(c.get("file").asText());
        assertThat(ArtworkPng.read(file).settings().seed()).isEqualTo(c.get("seed").asLong());
      } else {
        assertThat(c.get("rejected").asText())
            .matches("not among the best 2|failed: .+|near-duplicate of seed \\d+ .+");
      }
      passed += c.get("kept").asBoolean() || c.get("rejected").asText().startsWith("not") ? 1 : 0;
    }
    assertThat(seeds).containsExactlyInAnyOrder(40L, 41L, 42L, 43L, 44L);
    assertThat(keptSeeds).hasSize(Math.min(2, passed));
    assertThat(report.get("passed").asInt()).isEqualTo(passed);
    assertThat(pngs(first)).hasSize(keptSeeds.size());
    assertThat(first.resolve("selection-40.png")).isRegularFile();
    assertThat(a.out())
        .contains(
            String.format(
                Locale.ROOT,
                "yield %d of %d (%.0f%%) passed; kept %d",
                passed,
                N,
                100.0 * passed / N,
                keptSeeds.size()));
    for (JsonNode c : images) {
      assertThat(a.out())
          .containsPattern(
              "(?m)^\\s*" + c.get("rank").asInt() + "  seed " + c.get("seed").asLong() + "\\b");
    }

    // Same seeds, same images: a threshold between the 2nd and 3rd passing scores lets exactly two
    // through; the others are rejected for their score, and the yield says 2 of N.
    List<Double> passing = new ArrayList<>();
    for (JsonNode c : images) {
      if (c.get("kept").asBoolean() || c.get("rejected").asText().startsWith("not")) {
        passing.add(c.get("score").asDouble());
      }
    }
    assertThat(passing)
        .as("the tiny model should give at least 3 passing candidates")
        .hasSizeGreaterThanOrEqualTo(3);
    double threshold = (passing.get(1) + passing.get(2)) / 2;
    assertThat(passing.get(1))
        .as("distinct scores to put a threshold between")
        .isGreaterThan(passing.get(2));
    Path second = dir.resolve("second");
    CliRun b =
        generate(
            second,
            "--keep",
            "3",
            "--min-score",
            String.format(Locale.ROOT, "%.6f", threshold),
            "--json");
    assertThat(b.exitCode()).as(b.err()).isZero();
    JsonNode printed = new ObjectMapper().readTree(b.out());
    assertThat(printed.get("passed").asInt()).isEqualTo(2);
    assertThat(printed.get("yield").asDouble()).isEqualTo(2.0 / N);
    JsonNode report2 =
        new ObjectMapper().readTree(Path.of(printed.get("report").asText()).toFile());
    int belowThreshold = 0;
    for (JsonNode c : report2.get("images")) {
      if (!c.get("kept").asBoolean() && c.get("rejected").asText().contains("below --min-score")) {
        assertThat(c.get("score").asDouble()).isLessThan(threshold);
        belowThreshold++;
      }
    }
    long expectedBelow =
        Stream.iterate(0, i -> i + 1)
            .limit(N)
            .map(images::get)
            .filter(c -> c.get("scorers").get("technical").get("failures").size() == 0)
            .filter(c -> c.get("score").asDouble() < threshold)
            .count();
    assertThat(belowThreshold).isEqualTo(expectedBelow).isGreaterThanOrEqualTo(passing.size() - 2);
    assertThat(pngs(second)).hasSize(2); // --keep 3, but only two reach the threshold
  }
}

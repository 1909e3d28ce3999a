package atelier.quality;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SelectionTest {

  @Test
  void keepsTheBestRejectsFailuresDuplicatesAndLowScoresAndReportsTheYield() {
    BufferedImage a = TestImages.painting(128, 128, 1);
    BufferedImage b = TestImages.painting(128, 128, 2);
    BufferedImage c = TestImages.painting(128, 128, 3);
    Random rng = new Random(1);
    List<Selection.Candidate> candidates =
        List.of(
            new Selection.Candidate("a", 10L, ScoringInput.of(a)),
            new Selection.Candidate(
                "black", 11L, ScoringInput.of(Degradation.BLACK.apply(a, 1, rng))),
            new Selection.Candidate(
                "blurred", 12L, ScoringInput.of(Degradation.BLUR.apply(b, 1, rng))),
            new Selection.Candidate(
                "a-again", 13L, ScoringInput.of(Degradation.NOISE.apply(a, 0.05, rng))),
            new Selection.Candidate("b", 14L, ScoringInput.of(b)),
            new Selection.Candidate("c", 15L, ScoringInput.of(c)));
    TechnicalScorer technical = new TechnicalScorer();
    double blurredScore = technical.score(candidates.get(2).input()).overall();
    Selection.Report r = Selection.select(candidates, List.of(technical), 1, blurredScore + 1);

    assertThat(r.candidates()).hasSize(6);
    assertThat(r.kept()).hasSize(1);
    Selection.Ranked best = r.kept().get(0);
    assertThat(best.rank()).isEqualTo(1);
    assertThat(r.candidates()).extracting(Selection.Ranked::rank).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(reason(r, "black")).startsWith("failed: black frame");
    assertThat(reason(r, "blurred")).contains("below --min-score");
    // a, a-again, b, c pass the score check; the noisy copy of a is a duplicate of a or vice versa.
    assertThat(
            r.candidates().stream()
                .filter(x -> x.rejection() != null && x.rejection().startsWith("near-duplicate")))
        .hasSize(1);
    assertThat(r.passed()).isEqualTo(3);
    assertThat(r.yield()).isEqualTo(0.5);
    assertThat(r.candidates().stream().filter(x -> "not among the best 1".equals(x.rejection())))
        .hasSize(2);
  }

  private static String reason(Selection.Report r, String id) {
    return r.candidates().stream()
        .filter(x -> x.id().equals(id))
        .findFirst()
        .orElseThrow()
        .rejection();
  }
}

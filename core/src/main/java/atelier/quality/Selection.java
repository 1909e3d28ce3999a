package atelier.quality;

import atelier.BadRequestException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Best-of-N: scores every candidate, ranks them by one scorer, rejects failures (black, blank,
 * NaN), near-duplicates of a better candidate (perceptual hash) and scores below a threshold, and
 * keeps the best K of the rest. The yield is the share of candidates that passed (no failure, not a
 * duplicate, at or above the threshold). Stateless.
 */
public final class Selection {
  private Selection() {}

  /**
   * One candidate image.
   *
   * @param id a file name or label for reports
   * @param seed the seed that made it, or {@code null} for files
   * @param input the image and what is known about it
   */
  public record Candidate(String id, Long seed, ScoringInput input) {}

  /**
   * A candidate after selection.
   *
   * @param index its position in the input
   * @param rank 1 = best by the ranking score
   * @param score the ranking scorer's overall score
   * @param results every scorer's result, in scorer order
   * @param hash the 64-bit perceptual hash
   * @param kept whether it is among the kept images
   * @param rejection why it was not kept ({@code null} when kept)
   */
  public record Ranked(
      int index,
      String id,
      Long seed,
      int rank,
      double score,
      List<ScorerResult> results,
      long hash,
      boolean kept,
      String rejection) {
    /** Whether it passed every check (it may still be dropped for being past the best K). */
    public boolean passed() {
      return kept || rejection.startsWith("not among");
    }
  }

  /**
   * The outcome.
   *
   * @param rankedBy the ranking scorer's name
   * @param scale the ranking scorer's scale
   * @param keep how many were to be kept
   * @param minScore the threshold, or {@code null}
   * @param candidates every candidate, best first
   * @param passed how many passed every check
   * @param yield {@code passed / candidates}
   */
  public record Report(
      String rankedBy,
      String scale,
      int keep,
      Double minScore,
      List<Ranked> candidates,
      int passed,
      double yield) {
    /** The kept candidates, best first. */
    public List<Ranked> kept() {
      return candidates.stream().filter(Ranked::kept).toList();
    }
  }

  /**
   * Scores and selects.
   *
   * @param scorers the scorers; the first ranks
   * @param keep how many to keep (at least 1)
   * @param minScore the lowest ranking score to keep, or {@code null}
   * @throws BadRequestException for no scorers, no candidates or keep below 1
   */
  public static Report select(
      List<Candidate> candidates, List<Scorer> scorers, int keep, Double minScore) {
    if (scorers.isEmpty()) {
      throw new BadRequestException("selection: expected at least one scorer, found none");
    }
    if (candidates.isEmpty()) {
      throw new BadRequestException("selection: expected candidates, found none");
    }
    if (keep < 1) {
      throw new BadRequestException("--keep: expected at least 1, found " + keep);
    }
    record Scored(int index, Candidate c, List<ScorerResult> results, long hash) {
      double score() {
        return results.get(0).overall();
      }

      List<String> failures() {
        List<String> f = new ArrayList<>();
        for (ScorerResult r : results) {
          for (String x : r.failures()) {
            if (!f.contains(x)) {
              f.add(x);
            }
          }
        }
        return f;
      }
    }
    List<Scored> scored = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      Candidate c = candidates.get(i);
      List<ScorerResult> results = new ArrayList<>();
      for (Scorer s : scorers) {
        results.add(s.score(c.input()));
      }
      scored.add(new Scored(i, c, results, PerceptualHash.of(c.input().image())));
    }
    // Best first; failed candidates last, so duplicates are judged against good ones.
    scored.sort(
        Comparator.comparing((Scored s) -> !s.failures().isEmpty())
            .thenComparing(Comparator.comparingDouble(Scored::score).reversed())
            .thenComparingInt(Scored::index));
    List<Ranked> out = new ArrayList<>();
    List<Scored> passedSoFar = new ArrayList<>();
    int kept = 0;
    int passed = 0;
    for (int r = 0; r < scored.size(); r++) {
      Scored s = scored.get(r);
      String rejection = null;
      List<String> failures = s.failures();
      if (!failures.isEmpty()) {
        rejection = "failed: " + String.join("; ", failures);
      } else if (minScore != null && s.score() < minScore) {
        rejection =
            String.format(
                Locale.ROOT, "score %.2f below --min-score %s", s.score(), trim(minScore));
      } else {
        for (Scored better : passedSoFar) {
          int d = PerceptualHash.distance(s.hash(), better.hash());
          if (d <= PerceptualHash.NEAR_DUPLICATE_BITS) {
            rejection =
                "near-duplicate of " + better.c().id() + " (" + d + " of 64 hash bits differ)";
            break;
          }
        }
      }
      if (rejection == null) {
        passed++;
        passedSoFar.add(s);
        if (kept < keep) {
          kept++;
        } else {
          rejection = "not among the best " + keep;
        }
      }
      out.add(
          new Ranked(
              s.index(),
              s.c().id(),
              s.c().seed(),
              r + 1,
              s.score(),
              s.results(),
              s.hash(),
              rejection == null,
              rejection));
    }
    return new Report(
        scorers.get(0).name(),
        scorers.get(0).scale(),
        keep,
        minScore,
        out,
        passed,
        (double) passed / candidates.size());
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}

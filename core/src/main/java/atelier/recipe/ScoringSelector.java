package atelier.recipe;

import atelier.pipeline.Artwork;
import atelier.quality.Scorers;
import atelier.quality.ScoringInput;
import atelier.quality.Selection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link Selector} backed by Atelier's scorers: {@code keep: best} ranks the batch with the
 * scorers the recipe names in {@code by} (comma-separated, the first ranks; the built-in judge
 * {@code quality:default} when unset; {@code technical} when none of the named scorers has its
 * model installed — {@link #plan} says so) and keeps the best {@code count}, dropping failed frames
 * and near-duplicates as {@code generate --candidates} does. Thread-safe: scorers are opened per
 * call.
 */
public final class ScoringSelector implements Selector {
  private final Scorers.Sources sources;

  public ScoringSelector(Scorers.Sources sources) {
    this.sources = sources;
  }

  @Override
  public String name() {
    return "scorers";
  }

  /**
   * The scorers a spec will use: those it names (default {@code quality:default}) whose models are
   * installed, else {@code technical}.
   *
   * @param names the scorers, the first ranks
   * @param note why some named scorers are left out, or null
   */
  public record Plan(List<String> names, String note) {}

  /** What {@link #select} will do for {@code spec} (no model is opened). */
  public Plan plan(Recipe.Select spec) {
    List<String> asked =
        spec.by() == null || spec.by().isBlank()
            ? List.of(Scorers.DEFAULT)
            : Arrays.stream(spec.by().split(",")).map(String::strip).toList();
    List<String> usable = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String n : asked) {
      Scorers.missing(n, sources).ifPresentOrElse(missing::add, () -> usable.add(n));
    }
    if (usable.isEmpty()) {
      usable.add("technical");
    }
    String note =
        missing.isEmpty()
            ? null
            : "select by "
                + spec.by()
                + ": "
                + String.join("; ", missing)
                + "; ranking by "
                + String.join(",", usable)
                + " instead";
    return new Plan(List.copyOf(usable), note);
  }

  @Override
  public Choice select(List<Artwork> candidates, Recipe.Select spec) {
    if (spec.keep() == Recipe.Select.Keep.ALL || candidates.isEmpty()) {
      return Choice.all(candidates);
    }
    List<String> names = plan(spec).names();
    List<Selection.Candidate> in = new ArrayList<>();
    for (Artwork a : candidates) {
      long seed = a.record().settings().seed();
      in.add(
          new Selection.Candidate(
              "seed " + seed,
              seed,
              new ScoringInput(a.image(), a.record().settings().prompt(), a.latents())));
    }
    Selection.Report report;
    try (Scorers scorers = Scorers.open(names, sources)) {
      report = Selection.select(in, scorers.list(), Math.min(spec.count(), in.size()), null);
    }
    List<Artwork> kept = new ArrayList<>();
    for (Selection.Ranked r : report.kept()) {
      kept.add(candidates.get(r.index()));
    }
    return new Choice(kept, in, report);
  }
}

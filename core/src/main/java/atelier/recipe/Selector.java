package atelier.recipe;

import atelier.pipeline.Artwork;
import atelier.quality.Selection;
import java.util.List;

/**
 * Chooses which images of a batch a recipe keeps: {@link ScoringSelector} on Atelier's scorers, or
 * {@link #KEEP_ALL}. Implementations must be thread-safe.
 */
public interface Selector {
  /** A name for records ({@code keep-all}, {@code scorers}, …). */
  String name();

  /**
   * What a selection kept, and how every candidate fared.
   *
   * @param kept the images to keep, best first
   * @param candidates the scored candidates (index = batch position), or empty when nothing was
   *     scored
   * @param report every candidate's rank, score and why it was dropped, or null when nothing was
   *     scored (every image kept)
   */
  record Choice(List<Artwork> kept, List<Selection.Candidate> candidates, Selection.Report report) {
    public Choice {
      kept = List.copyOf(kept);
      candidates = List.copyOf(candidates);
    }

    /** Everything kept, nothing scored. */
    public static Choice all(List<Artwork> images) {
      return new Choice(images, List.of(), null);
    }
  }

  /**
   * The images to keep.
   *
   * @param candidates the batch, in batch order
   * @param spec what the recipe asked for ({@code keep: best, count, by})
   */
  Choice select(List<Artwork> candidates, Recipe.Select spec);

  /** Keeps every image, in batch order, whatever the spec asks (no scorer to rank them). */
  Selector KEEP_ALL =
      new Selector() {
        @Override
        public String name() {
          return "keep-all";
        }

        @Override
        public Choice select(List<Artwork> candidates, Recipe.Select spec) {
          return Choice.all(candidates);
        }
      };
}

package atelier.recipe;

import atelier.pipeline.Artwork;
import java.util.List;

/**
 * Chooses which images of a batch a recipe keeps. Atelier's scorers (aesthetic, CLIP alignment)
 * plug in here; this branch ships only {@link #KEEP_ALL}. Implementations must be thread-safe.
 */
public interface Selector {
  /** A name for records ({@code keep-all}, {@code aesthetic}, …). */
  String name();

  /**
   * The images to keep, best first.
   *
   * @param candidates the batch, in batch order
   * @param spec what the recipe asked for ({@code keep: best, count, by})
   */
  List<Artwork> select(List<Artwork> candidates, Recipe.Select spec);

  /** Keeps every image, in batch order, whatever the spec asks (no scorer to rank them). */
  Selector KEEP_ALL =
      new Selector() {
        @Override
        public String name() {
          return "keep-all";
        }

        @Override
        public List<Artwork> select(List<Artwork> candidates, Recipe.Select spec) {
          return List.copyOf(candidates);
        }
      };
}

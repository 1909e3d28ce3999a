package atelier.quality;

/**
 * Scores images: image [+ prompt] → an overall score (higher is better) with named measurements and
 * reasons. Implementations that own a model are {@link AutoCloseable}; closing is idempotent.
 *
 * <p>Thread-safety: implementations are safe for concurrent use unless they say otherwise.
 */
public interface Scorer extends AutoCloseable {
  /** The name used on the command line and in reports, e.g. {@code technical}. */
  String name();

  /** One line on the overall score's scale, e.g. {@code "0–100, higher is better"}. */
  String scale();

  /**
   * Scores one image.
   *
   * @throws atelier.InferenceException when a model fails at run time
   */
  ScorerResult score(ScoringInput input);

  @Override
  default void close() {}
}

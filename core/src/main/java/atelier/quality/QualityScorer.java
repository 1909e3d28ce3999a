package atelier.quality;

import atelier.ModelLoadException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores with a trained {@link QualityModel}: the expected grade {@code 100·P(good) +
 * 50·P(average)} as the overall score, the three probabilities as details, and the technical
 * failure flags (black, blank, NaN), which no model should overrule. Thread-safe; does not own the
 * CLIP model.
 */
public final class QualityScorer implements Scorer {
  /** Prefix of trained scorers on the command line: {@code quality:NAME}. */
  public static final String PREFIX = "quality:";

  private final String name;
  private final QualityModel model;
  private final ClipModel clip;

  /**
   * A scorer named {@code quality:NAME} for {@code model}.
   *
   * @param clip the CLIP model the quality model was trained with, or {@code null} when it uses
   *     technical features only
   * @throws ModelLoadException when the model needs CLIP embeddings and none is given, or of
   *     another width
   */
  public QualityScorer(String name, QualityModel model, ClipModel clip) {
    this.name = PREFIX + name;
    this.model = model;
    this.clip = model.usesClip() ? clip : null;
    if (model.usesClip() && clip == null) {
      throw new ModelLoadException(
          this.name
              + ": the model was trained on CLIP embeddings (width "
              + model.clipWidth()
              + "); expected a CLIP model (--clip DIR), found none");
    }
  }

  /** Loads {@code file} as scorer {@code quality:NAME}, NAME being the file name less extension. */
  public static QualityScorer open(Path file, ClipModel clip) {
    String n = file.getFileName().toString();
    if (n.endsWith(QualityModel.EXTENSION)) {
      n = n.substring(0, n.length() - QualityModel.EXTENSION.length());
    }
    return new QualityScorer(n, QualityModel.load(file), clip);
  }

  /** The model. */
  public QualityModel model() {
    return model;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String scale() {
    return "0–100, higher is better (100·P(good) + 50·P(average))";
  }

  @Override
  public ScorerResult score(ScoringInput input) {
    TechnicalMetrics m = TechnicalMetrics.of(input.image());
    float[] embedding = clip == null ? null : clip.imageEmbeddings(List.of(input.image()))[0];
    if (embedding != null && embedding.length != model.clipWidth()) {
      throw new ModelLoadException(
          name
              + ": expected CLIP embeddings of width "
              + model.clipWidth()
              + " as in training, found "
              + embedding.length
              + " from "
              + clip.folder());
    }
    Map<QualityLabel, Double> p = model.predict(QualityFeatures.vector(m, embedding));
    double grade = QualityModel.grade(p);
    QualityLabel best = new ClassificationMetrics.Outcome(QualityLabel.GOOD, p).predicted();
    List<String> failures = TechnicalScorer.failures(m, input.latents());
    String reason =
        String.format(
            Locale.ROOT,
            "predicted %s (good %.2f, average %.2f, poor %.2f)",
            best.id(),
            p.get(QualityLabel.GOOD),
            p.get(QualityLabel.AVERAGE),
            p.get(QualityLabel.POOR));
    return new ScorerResult(
        name,
        failures.isEmpty() ? grade : 0,
        List.of(
            new Score("grade", grade, reason),
            new Score("p_good", p.get(QualityLabel.GOOD), "probability of good"),
            new Score("p_average", p.get(QualityLabel.AVERAGE), "probability of average"),
            new Score("p_poor", p.get(QualityLabel.POOR), "probability of poor")),
        failures);
  }
}

package atelier.quality;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How well good/average/poor predictions match the truth: accuracy, per-class precision and recall,
 * the confusion matrix and the good-vs-poor ROC AUC (ranking by {@code P(good) − P(poor)}, among
 * images whose truth is good or poor).
 *
 * @param examples how many predictions
 * @param accuracy share predicted right
 * @param precision per class: of those predicted as the class, the share that are
 * @param recall per class: of those that are the class, the share predicted as it
 * @param confusion {@code confusion[truth][predicted]}, in {@link QualityLabel} order
 * @param goodVsPoorAuc ROC AUC of good against poor, or NaN when either is absent
 */
public record ClassificationMetrics(
    int examples,
    double accuracy,
    Map<QualityLabel, Double> precision,
    Map<QualityLabel, Double> recall,
    long[][] confusion,
    double goodVsPoorAuc) {

  /** One prediction against its truth. */
  public record Outcome(QualityLabel truth, Map<QualityLabel, Double> probabilities) {
    /** The most probable label (ties go to the better grade). */
    public QualityLabel predicted() {
      QualityLabel best = QualityLabel.GOOD;
      for (QualityLabel l : QualityLabel.values()) {
        if (p(l) > p(best)) {
          best = l;
        }
      }
      return best;
    }

    double p(QualityLabel l) {
      return probabilities.getOrDefault(l, 0.0);
    }
  }

  /** Metrics of {@code outcomes}. */
  public static ClassificationMetrics of(List<Outcome> outcomes) {
    int k = QualityLabel.values().length;
    long[][] confusion = new long[k][k];
    long right = 0;
    for (Outcome o : outcomes) {
      QualityLabel p = o.predicted();
      confusion[o.truth().ordinal()][p.ordinal()]++;
      right += p == o.truth() ? 1 : 0;
    }
    Map<QualityLabel, Double> precision = new EnumMap<>(QualityLabel.class);
    Map<QualityLabel, Double> recall = new EnumMap<>(QualityLabel.class);
    for (QualityLabel l : QualityLabel.values()) {
      int i = l.ordinal();
      long predicted = 0;
      long actual = 0;
      for (int j = 0; j < k; j++) {
        predicted += confusion[j][i];
        actual += confusion[i][j];
      }
      precision.put(l, predicted == 0 ? 0.0 : (double) confusion[i][i] / predicted);
      recall.put(l, actual == 0 ? 0.0 : (double) confusion[i][i] / actual);
    }
    List<Double> good = new ArrayList<>();
    List<Double> poor = new ArrayList<>();
    for (Outcome o : outcomes) {
      double s = o.p(QualityLabel.GOOD) - o.p(QualityLabel.POOR);
      if (o.truth() == QualityLabel.GOOD) {
        good.add(s);
      } else if (o.truth() == QualityLabel.POOR) {
        poor.add(s);
      }
    }
    return new ClassificationMetrics(
        outcomes.size(),
        outcomes.isEmpty() ? 0 : (double) right / outcomes.size(),
        precision,
        recall,
        confusion,
        auc(good, poor));
  }

  /**
   * ROC AUC: the chance that a random positive outranks a random negative, ties counting half (the
   * Mann–Whitney U statistic / (n₊·n₋)). NaN when either side is empty.
   */
  public static double auc(List<Double> positives, List<Double> negatives) {
    if (positives.isEmpty() || negatives.isEmpty()) {
      return Double.NaN;
    }
    double wins = 0;
    for (double p : positives) {
      for (double n : negatives) {
        wins += p > n ? 1 : p == n ? 0.5 : 0;
      }
    }
    return wins / ((double) positives.size() * negatives.size());
  }
}

package atelier.quality;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The always-available scorer: {@link TechnicalMetrics} turned into an overall 0–100 score and
 * failure flags (black frame, blank frame, NaN latents).
 *
 * <p>Each metric maps to a factor in 0..1 through a linear ramp between a "bad" and a "fine"
 * threshold; the overall score is 100 × the product of the factors, so one severe defect sinks an
 * image. The thresholds are hand-set heuristics, checked on the degradation set of {@code
 * docs/quality.md}; a model trained on your own labels ({@code quality:NAME}) replaces them.
 * Stateless and thread-safe.
 */
public final class TechnicalScorer implements Scorer {
  /** Name on the command line. */
  public static final String NAME = "technical";

  /** Luma 99th percentile at or below which an image is a black frame (levels). */
  static final double BLACK_LUMA99 = 12;

  /** Luma spread at or below which an image is blank (levels). */
  static final double BLANK_SPREAD = 1.5;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String scale() {
    return "0–100, higher is better (product of technical factors)";
  }

  @Override
  public ScorerResult score(ScoringInput input) {
    TechnicalMetrics m = TechnicalMetrics.of(input.image());
    return result(m, input.latents());
  }

  /** The result for already-measured metrics (the trainer reuses measurements). */
  public ScorerResult result(TechnicalMetrics m, float[] latents) {
    List<Factor> factors = factors(m);
    double overall = 100;
    for (Factor f : factors) {
      overall *= f.value;
    }
    List<String> failures = failures(m, latents);
    if (!failures.isEmpty()) {
      overall = 0;
    }
    List<Score> scores = new ArrayList<>();
    scores.add(new Score("technical", overall, summary(factors, failures)));
    scores.add(new Score("sharpness", m.sharpness(), "Laplacian variance, levels²"));
    scores.add(new Score("noise", m.noise(), "noise σ, luma levels"));
    scores.add(new Score("brightness", m.brightness(), "mean luma, 0..1"));
    scores.add(new Score("shadows_clipped", m.shadowsClipped(), "share crushed to black"));
    scores.add(new Score("highlights_clipped", m.highlightsClipped(), "share blown to white"));
    scores.add(new Score("contrast", m.contrast(), "RMS contrast, 0..1"));
    scores.add(new Score("colourfulness", m.colourfulness(), "Hasler–Süsstrunk M"));
    scores.add(new Score("saturation", m.saturation(), "mean HSV saturation, 0..1"));
    scores.add(new Score("banding", m.banding(), "missing levels in smooth areas, 0..1"));
    scores.add(new Score("blockiness", m.blockiness(), "8×8 grid step excess, ≥ 0"));
    scores.add(new Score("entropy", m.entropy(), "luma histogram entropy, bits"));
    return new ScorerResult(NAME, overall, scores, failures);
  }

  /** Hard failures: frames no one would keep, whatever else they score. */
  static List<String> failures(TechnicalMetrics m, float[] latents) {
    List<String> out = new ArrayList<>();
    if (latents != null) {
      for (float v : latents) {
        if (!Float.isFinite(v)) {
          out.add("NaN or infinite latents (a numerical failure)");
          break;
        }
      }
    }
    if (m.luma99() <= BLACK_LUMA99) {
      out.add(
          String.format(Locale.ROOT, "black frame (99%% of pixels at luma ≤ %.0f)", m.luma99()));
    } else if (m.lumaSpread() <= BLANK_SPREAD && m.colourfulness() <= 2 * BLANK_SPREAD + 1) {
      out.add(String.format(Locale.ROOT, "blank frame (luma spread %.2f levels)", m.lumaSpread()));
    }
    return out;
  }

  record Factor(String what, double value, String detail) {}

  static List<Factor> factors(TechnicalMetrics m) {
    List<Factor> f = new ArrayList<>();
    double logSharp = Math.log10(1 + m.sharpness());
    f.add(factor("blurry", ramp(logSharp, 1.0, 2.0), "Laplacian variance %.0f", m.sharpness()));
    f.add(factor("noisy", ramp(-m.noise(), -10, -3), "noise σ %.1f", m.noise()));
    double b = m.brightness();
    f.add(
        factor(
            b < 0.5 ? "underexposed" : "overexposed",
            Math.min(ramp(b, 0.08, 0.22), ramp(-b, -0.92, -0.78)),
            "mean luma %.2f",
            b));
    double clipped = m.shadowsClipped() + m.highlightsClipped();
    f.add(factor("clipped", ramp(-clipped, -0.45, -0.15), "%.0f%% clipped", 100 * clipped));
    f.add(factor("flat", ramp(m.contrast(), 0.04, 0.12), "RMS contrast %.2f", m.contrast()));
    f.add(
        factor(
            "oversaturated",
            ramp(-m.colourfulness(), -150, -110),
            "colourfulness %.0f",
            m.colourfulness()));
    f.add(factor("banded", ramp(-m.banding(), -0.55, -0.25), "banding %.2f", m.banding()));
    f.add(factor("blocky", ramp(-m.blockiness(), -0.6, -0.2), "blockiness %.2f", m.blockiness()));
    f.add(factor("low detail", ramp(m.entropy(), 3, 5.5), "entropy %.1f bits", m.entropy()));
    return f;
  }

  private static Factor factor(String what, double value, String format, double x) {
    return new Factor(what, value, String.format(Locale.ROOT, format, x));
  }

  /** 0 at or below {@code bad}, 1 at or above {@code fine}, linear between. */
  static double ramp(double x, double bad, double fine) {
    if (x <= bad) {
      return 0;
    }
    return x >= fine ? 1 : (x - bad) / (fine - bad);
  }

  private static String summary(List<Factor> factors, List<String> failures) {
    if (!failures.isEmpty()) {
      return String.join("; ", failures);
    }
    List<Factor> weak =
        factors.stream()
            .filter(f -> f.value < 0.95)
            .sorted(Comparator.comparingDouble(Factor::value))
            .limit(3)
            .toList();
    if (weak.isEmpty()) {
      return "no technical defect found";
    }
    List<String> parts = new ArrayList<>();
    for (Factor f : weak) {
      parts.add(f.what + " (" + f.detail + ")");
    }
    return String.join(", ", parts);
  }
}

package atelier.quality;

import java.util.ArrayList;
import java.util.List;

/**
 * The feature vector the trainable quality model learns from: the technical measurements
 * (transformed so that their scales are comparable), then, when a CLIP model is used, the
 * L2-normalised image embedding as {@code clip_0 … clip_{D−1}}. Stateless.
 */
public final class QualityFeatures {
  /** Names of the technical features, in vector order. */
  public static final List<String> TECHNICAL =
      List.of(
          "log_sharpness",
          "log_noise",
          "brightness",
          "shadows_clipped",
          "highlights_clipped",
          "contrast",
          "colourfulness",
          "saturation",
          "banding",
          "log_blockiness",
          "entropy",
          "luma99",
          // Added with the grouped evaluation; models trained before them simply ignore them.
          "log_sharpness_half",
          "fine_to_coarse",
          "log_flat_noise",
          "local_contrast",
          "colour_clipped",
          "luma1",
          "luma50");

  /** Prefix of the CLIP embedding features. */
  public static final String CLIP_PREFIX = "clip_";

  private QualityFeatures() {}

  /** The technical features of {@code m}, in {@link #TECHNICAL} order. */
  public static double[] technical(TechnicalMetrics m) {
    return new double[] {
      Math.log1p(m.sharpness()) / 8,
      Math.log1p(m.noise()) / 3,
      m.brightness(),
      m.shadowsClipped(),
      m.highlightsClipped(),
      m.contrast(),
      m.colourfulness() / 100,
      m.saturation(),
      m.banding(),
      Math.log1p(m.blockiness()),
      m.entropy() / 8,
      m.luma99() / 255,
      Math.log1p(m.sharpnessHalf()) / 8,
      Math.log((m.sharpness() + 1) / (m.sharpnessHalf() + 1)) / 4,
      Math.log1p(m.flatNoise()) / 3,
      m.localContrast(),
      m.colourClipped(),
      m.luma1() / 255,
      m.luma50() / 255
    };
  }

  /** Feature names for the technical features plus an embedding of width {@code clipWidth}. */
  public static List<String> names(int clipWidth) {
    List<String> names = new ArrayList<>(TECHNICAL);
    for (int i = 0; i < clipWidth; i++) {
      names.add(CLIP_PREFIX + i);
    }
    return names;
  }

  /** The full vector: technical features, then the embedding (or nothing when null). */
  public static double[] vector(TechnicalMetrics m, float[] clipEmbedding) {
    double[] t = technical(m);
    if (clipEmbedding == null) {
      return t;
    }
    double[] v = new double[t.length + clipEmbedding.length];
    System.arraycopy(t, 0, v, 0, t.length);
    for (int i = 0; i < clipEmbedding.length; i++) {
      v[t.length + i] = clipEmbedding[i];
    }
    return v;
  }
}

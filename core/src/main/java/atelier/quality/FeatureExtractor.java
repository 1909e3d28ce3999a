package atelier.quality;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns images into {@link QualityFeatures} vectors: technical metrics, plus CLIP image embeddings
 * when a CLIP model is given. Thread-safe; does not own the CLIP model.
 */
public final class FeatureExtractor {
  private static final int CLIP_BATCH = 8;
  private final ClipModel clip;

  /** An extractor using {@code clip} for embeddings, or technical features only when null. */
  public FeatureExtractor(ClipModel clip) {
    this.clip = clip;
  }

  /** Whether vectors include CLIP embeddings. */
  public boolean usesClip() {
    return clip != null;
  }

  /** The feature vectors of {@code images}, in order. */
  public List<double[]> extract(List<BufferedImage> images) {
    List<double[]> out = new ArrayList<>(images.size());
    for (int start = 0; start < images.size(); start += CLIP_BATCH) {
      List<BufferedImage> batch =
          images.subList(start, Math.min(images.size(), start + CLIP_BATCH));
      float[][] emb = clip == null ? null : clip.imageEmbeddings(batch);
      for (int i = 0; i < batch.size(); i++) {
        out.add(
            QualityFeatures.vector(TechnicalMetrics.of(batch.get(i)), emb == null ? null : emb[i]));
      }
    }
    return out;
  }
}

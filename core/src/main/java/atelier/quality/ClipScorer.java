package atelier.quality;

import java.util.List;
import java.util.Locale;

/**
 * Prompt alignment: CLIP score {@code 100 · max(cos(image, prompt), 0)} (Hessel et al. 2021, with
 * torchmetrics' scaling), from the L2-normalised image and text embeddings of a {@link ClipModel}.
 * For ViT-L/14, well-aligned images typically land in the high 20s to 30s. Images without a prompt
 * score 0 with the reason "no prompt". Thread-safe; does not own the model.
 */
public final class ClipScorer implements Scorer {
  /** Name on the command line. */
  public static final String NAME = "clip";

  private final ClipModel clip;

  /** Scores with {@code clip}, which the caller keeps and closes. */
  public ClipScorer(ClipModel clip) {
    this.clip = clip;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String scale() {
    return "0–100, higher is better (100 × cosine of image and prompt embeddings)";
  }

  @Override
  public ScorerResult score(ScoringInput input) {
    if (input.prompt() == null || input.prompt().isBlank()) {
      return new ScorerResult(
          NAME, 0, List.of(new Score("clip", 0, "no prompt to compare with")), List.of());
    }
    float[] image = clip.imageEmbeddings(List.of(input.image()))[0];
    float[] text = clip.textEmbeddings(List.of(input.prompt()))[0];
    double cos = ClipModel.cosine(image, text);
    double score = 100 * Math.max(cos, 0);
    String reason = String.format(Locale.ROOT, "cosine %.3f with the prompt", cos);
    return new ScorerResult(NAME, score, List.of(new Score("clip", score, reason)), List.of());
  }
}

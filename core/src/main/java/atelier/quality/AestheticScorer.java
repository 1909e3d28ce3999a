package atelier.quality;

import atelier.ModelLoadException;
import atelier.model.ElementType;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.model.TensorSpec;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The LAION aesthetic predictor (improved-aesthetic-predictor, "sac+logos+ava1-l14-linearMSE"): an
 * MLP 768 → 1024 → 128 → 64 → 16 → 1 on the L2-normalised CLIP ViT-L/14 image embedding, predicting
 * a 1–10 rating. The MLP is an ONNX graph with one float input {@code [batch, D]} and one output
 * {@code [batch, 1]}; {@code tools/quality/aesthetic_to_onnx.py} converts the published PyTorch
 * weights. Thread-safe; owns the MLP's session, not the CLIP model.
 */
public final class AestheticScorer implements Scorer {
  /** Name on the command line. */
  public static final String NAME = "aesthetic";

  private final ClipModel clip;
  private final OnnxModel mlp;
  private final String input;
  private final String output;

  private AestheticScorer(ClipModel clip, OnnxModel mlp) {
    this.clip = clip;
    this.mlp = mlp;
    if (mlp.inputs().size() != 1 || mlp.outputs().size() != 1) {
      throw new ModelLoadException(
          "aesthetic ("
              + mlp.path()
              + "): expected one input and one output, found "
              + mlp.inputs()
              + " → "
              + mlp.outputs());
    }
    TensorSpec in = mlp.inputs().get(0);
    this.input =
        mlp.requireInput(in.name(), EnumSet.of(ElementType.FLOAT32, ElementType.FLOAT16), 2).name();
    this.output =
        mlp.requireOutput(
                mlp.outputs().get(0).name(),
                EnumSet.of(ElementType.FLOAT32, ElementType.FLOAT16),
                1,
                2)
            .name();
    if (in.isStatic(1) && clip.embeddingSize() > 0 && in.shape()[1] != clip.embeddingSize()) {
      throw new ModelLoadException(
          "aesthetic ("
              + mlp.path()
              + "): expected an input of the CLIP embedding width "
              + clip.embeddingSize()
              + ", found "
              + in.shapeText());
    }
  }

  /**
   * Opens the predictor graph for use with {@code clip} (which the caller keeps and closes).
   *
   * @throws ModelLoadException when the graph is missing or not a one-in, one-out MLP
   */
  public static AestheticScorer open(Path graph, ClipModel clip, SessionSettings settings) {
    OnnxModel mlp = OnnxModel.open("aesthetic", graph, settings);
    try {
      return new AestheticScorer(clip, mlp);
    } catch (RuntimeException e) {
      mlp.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String scale() {
    return "about 1–10, higher is better (LAION aesthetic rating)";
  }

  /** The predicted rating of one L2-normalised embedding. */
  public double rate(float[] embedding) {
    Tensor in = Tensor.floats(embedding, 1, embedding.length);
    return mlp.run(Map.of(input, in), output).get(output).floatData()[0];
  }

  @Override
  public ScorerResult score(ScoringInput in) {
    double rating = rate(clip.imageEmbeddings(List.of(in.image()))[0]);
    String reason =
        String.format(
            Locale.ROOT,
            "rating %.2f (%s)",
            rating,
            rating >= 6.5
                ? "striking"
                : rating >= 5.5 ? "pleasing" : rating >= 4.5 ? "plain" : "poor");
    return new ScorerResult(
        NAME, rating, List.of(new Score("aesthetic", rating, reason)), List.of());
  }

  @Override
  public void close() {
    mlp.close();
  }
}

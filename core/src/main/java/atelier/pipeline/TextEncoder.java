package atelier.pipeline;

import atelier.ModelLoadException;
import atelier.model.ElementType;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.model.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CLIP text encoder stage: token ids → hidden states {@code [tokens, hidden]} per sequence.
 * Accepts {@code input_ids} as int32 or int64 (exporters differ) and float32 or float16 outputs.
 *
 * <p>Thread-safe; owns its session.
 */
public final class TextEncoder implements AutoCloseable {
  static final Set<ElementType> IDS = EnumSet.of(ElementType.INT32, ElementType.INT64);
  static final Set<ElementType> FLOATS = EnumSet.of(ElementType.FLOAT32, ElementType.FLOAT16);

  private final OnnxModel model;
  private final TensorSpec ids;
  private final TensorSpec hidden;

  public TextEncoder(OnnxModel model) {
    this.model = model;
    this.ids = model.requireInput("input_ids", IDS, 2);
    this.hidden = model.requireOutput("last_hidden_state", FLOATS, 3);
    if (ids.isStatic(1) && ids.shape()[1] < 2) {
      throw new ModelLoadException(
          "text_encoder ("
              + model.path()
              + "): input_ids expected a sequence axis of 77 or dynamic,"
              + " found "
              + ids.shapeText());
    }
  }

  /** Opens {@code text_encoder/model.onnx}. */
  public static TextEncoder open(Path graph, SessionSettings settings) {
    return new TextEncoder(OnnxModel.open("text_encoder", graph, settings));
  }

  /** Opens a graph with some weights changed in memory (a LoRA merge). */
  public static TextEncoder open(atelier.model.GraphPatch graph, SessionSettings settings) {
    return new TextEncoder(graph.open("text_encoder", settings));
  }

  /** The declared hidden size, or -1 when the graph leaves it dynamic. */
  public int declaredHiddenSize() {
    return (int) hidden.shape()[2];
  }

  /** The element type of {@code input_ids} (int32 or int64). */
  public ElementType idType() {
    return ids.type();
  }

  /** The graph's outputs' float type. */
  public ElementType floatType() {
    return hidden.type();
  }

  /**
   * Encodes sequences of equal length, batched when the graph allows.
   *
   * @return one {@code [length·hidden]} array per sequence, in order
   */
  public List<float[]> encode(List<int[]> sequences) {
    if (sequences.isEmpty()) {
      return List.of();
    }
    int length = sequences.get(0).length;
    for (int[] s : sequences) {
      if (s.length != length) {
        throw new IllegalArgumentException(
            "text_encoder: expected sequences of equal length " + length + ", found " + s.length);
      }
    }
    int maxBatch = ids.isStatic(0) ? (int) ids.shape()[0] : Integer.MAX_VALUE;
    List<float[]> out = new ArrayList<>(sequences.size());
    for (int start = 0; start < sequences.size(); start += maxBatch) {
      List<int[]> part = sequences.subList(start, Math.min(sequences.size(), start + maxBatch));
      int[] flat = new int[part.size() * length];
      for (int i = 0; i < part.size(); i++) {
        System.arraycopy(part.get(i), 0, flat, i * length, length);
      }
      Tensor h =
          model
              .run(Map.of("input_ids", Tensor.ints(flat, part.size(), length)), "last_hidden_state")
              .get("last_hidden_state");
      float[] all = h.floatData();
      int each = all.length / part.size();
      for (int i = 0; i < part.size(); i++) {
        float[] one = new float[each];
        System.arraycopy(all, i * each, one, 0, each);
        out.add(one);
      }
    }
    return out;
  }

  /** The graph, for inspection. */
  public OnnxModel model() {
    return model;
  }

  @Override
  public void close() {
    model.close();
  }
}

package atelier.pipeline;

import atelier.BadRequestException;
import atelier.ModelLoadException;
import atelier.model.ClipSkipRewriter;
import atelier.model.ElementType;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.model.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
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
  private final SessionSettings settings;
  private final atelier.model.GraphPatch patch;
  private ClipSkip clipSkip;

  public TextEncoder(OnnxModel model) {
    this(model, null);
  }

  /** The stage over {@code model}; {@code settings} open the clip-skip graph when one is asked. */
  public TextEncoder(OnnxModel model, SessionSettings settings) {
    this(model, settings, null);
  }

  /**
   * The stage over {@code model} opened from {@code patch} (a LoRA merge), so the clip-skip graph
   * carries the same patched weights.
   */
  private TextEncoder(OnnxModel model, SessionSettings settings, atelier.model.GraphPatch patch) {
    this.model = model;
    this.settings = settings;
    this.patch = patch == null || patch.isEmpty() ? null : patch;
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
    return new TextEncoder(OnnxModel.open("text_encoder", graph, settings), settings);
  }

  /** Opens a graph with some weights changed in memory (a LoRA merge). */
  public static TextEncoder open(atelier.model.GraphPatch graph, SessionSettings settings) {
    return new TextEncoder(graph.open("text_encoder", settings), settings, graph);
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
    return encode(sequences, 1);
  }

  /**
   * Encodes sequences as {@link #encode(List)} does, taking A1111's clip skip: 1 is the last
   * layer's output; {@code n ≥ 2} the {@code n}-th layer from the end through the final layer norm.
   *
   * @throws BadRequestException when the encoder has fewer layers than the skip needs, or its
   *     layers cannot be found in the graph
   */
  public List<float[]> encode(List<int[]> sequences, int skip) {
    if (skip <= 1) {
      return run(model, "last_hidden_state", sequences);
    }
    ClipSkip c = clipSkip();
    if (skip > c.rewritten().layers() + 1) {
      throw new BadRequestException(
          "clip skip: the text encoder "
              + model.path()
              + " has "
              + c.rewritten().layers()
              + " layers; expected 1 to "
              + (c.rewritten().layers() + 1)
              + ", found "
              + skip);
    }
    return run(c.model(), c.rewritten().output(skip), sequences);
  }

  /** The graph with one output per clip skip, opened on first use (a second session). */
  private record ClipSkip(OnnxModel model, ClipSkipRewriter.Rewritten rewritten) {}

  private synchronized ClipSkip clipSkip() {
    if (clipSkip == null) {
      Path graph = model.path();
      ClipSkipRewriter.Rewritten r;
      try {
        byte[] source =
            patch != null && patch.graph() != null ? patch.graph() : Files.readAllBytes(graph);
        r = ClipSkipRewriter.rewrite(source, "last_hidden_state");
      } catch (IOException | IllegalArgumentException e) {
        throw new BadRequestException(
            "clip skip: could not find the encoder layers of the text encoder "
                + graph
                + " ("
                + e.getMessage()
                + "); use clip skip 1 with this model",
            e);
      }
      SessionSettings s = settings != null ? settings : SessionSettings.CPU;
      OnnxModel skipModel =
          patch == null
              ? OnnxModel.open("text_encoder", r.model(), graph, s)
              : OnnxModel.open(
                  "text_encoder", graph, r.model(), s.withoutGraphCache(), patch.external());
      clipSkip = new ClipSkip(skipModel, r);
    }
    return clipSkip;
  }

  private List<float[]> run(OnnxModel session, String output, List<int[]> sequences) {
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
          session
              .run(Map.of("input_ids", Tensor.ints(flat, part.size(), length)), output)
              .get(output);
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
    ClipSkip c;
    synchronized (this) {
      c = clipSkip;
    }
    try {
      model.close();
    } finally {
      if (c != null) {
        c.model().close();
      }
    }
  }
}

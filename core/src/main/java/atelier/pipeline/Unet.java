package atelier.pipeline;

import atelier.model.ElementType;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.model.TensorSpec;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The denoising UNet stage: (latents, timestep, text conditioning[, guidance embedding]) → the
 * model's prediction (noise, v or sample, as the scheduler's prediction type says).
 *
 * <p>Adapts to every exporter's timestep (int64 [1], float32 [B], float rank-0, float16 [1]) and to
 * the optional LCM {@code timestep_cond} input. Thread-safe; owns its session.
 */
public final class Unet implements AutoCloseable {
  private static final Set<ElementType> FLOATS = TextEncoder.FLOATS;

  private final OnnxModel model;
  private final TensorSpec sample;
  private final TensorSpec timestep;
  private final TensorSpec hidden;
  private final Optional<TensorSpec> timestepCond;
  private final String output;
  private final ControlInputs control;

  public Unet(OnnxModel model) {
    this.model = model;
    this.sample = model.requireInput("sample", FLOATS, 4);
    this.timestep =
        model.requireInput(
            "timestep",
            EnumSet.of(
                ElementType.FLOAT32, ElementType.FLOAT16, ElementType.INT64, ElementType.INT32),
            0,
            1);
    this.hidden = model.requireInput("encoder_hidden_states", FLOATS, 3);
    this.timestepCond =
        model.input("timestep_cond").map(s -> model.requireInput("timestep_cond", FLOATS, 2));
    // diffusers' ControlNet-fused export names its output noise_pred.
    this.output = model.output("noise_pred").isPresent() ? "noise_pred" : "out_sample";
    model.requireOutput(output, FLOATS, 4);
    this.control = ControlInputs.of(model);
  }

  /** The ControlNet inputs this graph takes (residuals, or fused ControlNets), if any. */
  ControlInputs control() {
    return control;
  }

  /** Opens {@code unet/model.onnx}. */
  public static Unet open(Path graph, SessionSettings settings) {
    return new Unet(OnnxModel.open("unet", graph, settings));
  }

  /** Opens a graph with some weights changed in memory (a LoRA merge). */
  public static Unet open(atelier.model.GraphPatch graph, SessionSettings settings) {
    return new Unet(graph.open("unet", settings));
  }

  /** Whether the graph takes LCM's guidance embedding ({@code timestep_cond}). */
  public boolean takesTimestepCond() {
    return timestepCond.isPresent();
  }

  /** Size of the guidance embedding ({@code timestep_cond}'s second axis; 256 when dynamic). */
  public int timestepCondSize() {
    return timestepCond.map(s -> s.isStatic(1) ? (int) s.shape()[1] : 256).orElse(0);
  }

  /** The largest batch one call may take (the declared batch, or unlimited). */
  public int maxBatch() {
    return sample.isStatic(0) ? (int) sample.shape()[0] : Integer.MAX_VALUE;
  }

  /** The fixed conditioning length (77) if the graph declares one, else -1 (any length). */
  public int fixedSequenceLength() {
    return hidden.isStatic(1) ? (int) hidden.shape()[1] : -1;
  }

  /** The declared conditioning width, or -1 when dynamic. */
  public int declaredHiddenSize() {
    return (int) hidden.shape()[2];
  }

  /** The declared channel axis of {@code sample} (4, or 9 for inpainting), or -1 when dynamic. */
  public int declaredSampleChannels() {
    return sample.isStatic(1) ? (int) sample.shape()[1] : -1;
  }

  /** The fixed latent height and width if the graph declares them, else -1. */
  public int[] fixedLatentSize() {
    return new int[] {
      sample.isStatic(2) ? (int) sample.shape()[2] : -1,
      sample.isStatic(3) ? (int) sample.shape()[3] : -1
    };
  }

  public ElementType timestepType() {
    return timestep.type();
  }

  public int timestepRank() {
    return timestep.rank();
  }

  public ElementType floatType() {
    return sample.type();
  }

  /**
   * One prediction for a batch.
   *
   * @param latents {@code [batch, channels, height, width]}
   * @param t the scheduler's timestep (truncated toward zero for integer graphs, as numpy does)
   * @param conditioning {@code [batch, tokens, hidden]}
   * @param guidanceEmbedding {@code [batch, timestepCondSize]}, required iff the graph takes it
   * @return the prediction, shaped like {@code latents}
   */
  public Tensor predict(Tensor latents, double t, Tensor conditioning, Tensor guidanceEmbedding) {
    return predict(latents, t, conditioning, guidanceEmbedding, Map.of());
  }

  /**
   * One prediction with extra inputs: ControlNet residuals or a fused graph's control images and
   * scales. A fused graph given none gets zero images at scale 0 (plain generation).
   */
  Tensor predict(
      Tensor latents,
      double t,
      Tensor conditioning,
      Tensor guidanceEmbedding,
      Map<String, Tensor> extra) {
    int batch = latents.dim(0);
    Map<String, Tensor> feed = new HashMap<>();
    feed.put("sample", latents);
    feed.put("timestep", timestepTensor(timestep, t, batch));
    feed.put("encoder_hidden_states", conditioning);
    if (timestepCond.isPresent()) {
      if (guidanceEmbedding == null) {
        throw new IllegalArgumentException("unet: this graph takes timestep_cond; none was given");
      }
      feed.put("timestep_cond", guidanceEmbedding);
    }
    feed.putAll(extra);
    if (control.fusedSlots() > 0 && !extra.containsKey(ControlInputs.FUSED_CONDS)) {
      feed.putAll(control.fusedOff(batch, latents.dim(2), latents.dim(3)));
    }
    return model.run(feed, output).get(output);
  }

  static Tensor timestepTensor(TensorSpec timestep, double t, int batch) {
    boolean integer = timestep.type() == ElementType.INT64 || timestep.type() == ElementType.INT32;
    if (timestep.rank() == 0) {
      return integer ? Tensor.longs(new long[] {(long) t}) : Tensor.floats(new float[] {(float) t});
    }
    int n = timestep.isStatic(0) ? (int) timestep.shape()[0] : batch;
    if (integer) {
      long[] v = new long[n];
      java.util.Arrays.fill(v, (long) t);
      return Tensor.longs(v, n);
    }
    float[] v = new float[n];
    java.util.Arrays.fill(v, (float) t);
    return Tensor.floats(v, n);
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

package atelier.pipeline;

import atelier.ModelLoadException;
import atelier.model.ElementType;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.model.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A separate ControlNet export: (latents, timestep, text conditioning, control image in [0, 1][,
 * conditioning_scale]) → the residuals {@code down_block_{i}_additional_residual} and {@code
 * mid_block_additional_residual} that a residual UNet adds to its skips (OnnxStack's and
 * TensorStack's ControlNet exports). A graph without a {@code conditioning_scale} input gives
 * residuals at scale 1, which this class then scales (they are linear in the scale).
 *
 * <p>Thread-safe; owns its session.
 */
public final class ControlNet implements AutoCloseable {
  private static final Set<ElementType> FLOATS = TextEncoder.FLOATS;

  private final OnnxModel model;
  private final TensorSpec timestep;
  private final Optional<TensorSpec> scale;
  private final List<TensorSpec> outputs;

  ControlNet(OnnxModel model) {
    this.model = model;
    model.requireInput("sample", FLOATS, 4);
    this.timestep =
        model.requireInput(
            "timestep",
            EnumSet.of(
                ElementType.FLOAT32, ElementType.FLOAT16, ElementType.INT64, ElementType.INT32),
            0,
            1);
    model.requireInput("encoder_hidden_states", FLOATS, 3);
    model.requireInput("controlnet_cond", FLOATS, 4);
    this.scale =
        model
            .input("conditioning_scale")
            .map(
                s ->
                    model.requireInput(
                        "conditioning_scale",
                        EnumSet.of(ElementType.FLOAT32, ElementType.FLOAT64, ElementType.FLOAT16),
                        0,
                        1));
    List<TensorSpec> outs = new ArrayList<>();
    for (int i = 0; model.output(ControlInputs.downName(i)).isPresent(); i++) {
      outs.add(model.requireOutput(ControlInputs.downName(i), FLOATS, 4));
    }
    if (outs.isEmpty()) {
      throw new ModelLoadException(
          "controlnet "
              + model.path()
              + ": expected outputs down_block_0_additional_residual … and"
              + " mid_block_additional_residual (a separate ControlNet export), found "
              + model.outputs().stream().map(TensorSpec::name).toList());
    }
    outs.add(model.requireOutput(ControlInputs.MID, FLOATS, 4));
    this.outputs = List.copyOf(outs);
  }

  /**
   * Opens a ControlNet: a graph file, or a folder holding {@code model.onnx} (TensorStack,
   * ForserX), {@code controlnet/model.onnx} or {@code cnet/model.onnx}.
   *
   * @throws ModelLoadException naming the path and the layouts looked for
   */
  public static ControlNet open(Path path, SessionSettings settings) {
    return new ControlNet(OnnxModel.open("controlnet", graphOf(path), settings));
  }

  /** The graph file of a ControlNet reference (see {@link #open}). */
  public static Path graphOf(Path path) {
    if (Files.isRegularFile(path)) {
      return path;
    }
    if (Files.isDirectory(path.resolve("unet"))) {
      // OnnxStack and onnx-web keep the UNet that takes residuals in controlnet/ or cnet/ of a
      // Stable Diffusion folder: not a ControlNet.
      throw new ModelLoadException(
          "controlnet "
              + path
              + ": expected a ControlNet export, found a Stable Diffusion folder (it has unet/);"
              + " pass it as --model and the ControlNet as --control");
    }
    for (String candidate : List.of("model.onnx", "controlnet/model.onnx", "cnet/model.onnx")) {
      Path p = path.resolve(candidate);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new ModelLoadException(
        "controlnet "
            + path
            + ": expected an ONNX ControlNet (a .onnx file, or a folder with model.onnx,"
            + " controlnet/model.onnx or cnet/model.onnx), found "
            + (Files.isDirectory(path) ? "none of them" : "no such file or folder"));
  }

  /** The residual outputs in order: the down blocks', then the mid block's. */
  public List<TensorSpec> residualOutputs() {
    return outputs;
  }

  /**
   * The residuals for a batch, already multiplied by {@code scales} (one per residual).
   *
   * @param latents the scaled model input {@code [B, 4, h, w]}
   * @param conditioning {@code [B, tokens, hidden]}
   * @param image the control image {@code [B, 3, 8h, 8w]} in [0, 1]
   */
  List<Tensor> residuals(
      Tensor latents, double t, Tensor conditioning, Tensor image, double[] scales) {
    Map<String, Tensor> feed = new HashMap<>();
    feed.put("sample", latents);
    feed.put("timestep", Unet.timestepTensor(timestep, t, latents.dim(0)));
    feed.put("encoder_hidden_states", conditioning);
    feed.put("controlnet_cond", image);
    boolean uniform = true;
    for (double s : scales) {
      uniform &= s == scales[0];
    }
    // Fed to the graph when it takes one and all residuals share it, so the multiply happens in
    // the graph as in diffusers; else the graph runs at 1 and the scales are applied here.
    boolean inGraph = scale.isPresent() && uniform;
    if (scale.isPresent()) {
      float s = inGraph ? (float) scales[0] : 1f;
      feed.put(
          "conditioning_scale",
          scale.get().rank() == 0
              ? Tensor.floats(new float[] {s})
              : Tensor.floats(new float[] {s}, 1));
    }
    String[] names = outputs.stream().map(TensorSpec::name).toArray(String[]::new);
    Map<String, Tensor> out = model.run(feed, names);
    List<Tensor> result = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      Tensor tensor = out.get(names[i]);
      float[] r = tensor.floatData().clone();
      if (!inGraph) {
        float k = (float) scales[i];
        for (int j = 0; j < r.length; j++) {
          r[j] *= k;
        }
      }
      result.add(Tensor.floats(r, tensor.shape()));
    }
    return result;
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

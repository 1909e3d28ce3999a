package atelier.model.lora;

import atelier.BadRequestException;
import atelier.ModelLoadException;
import atelier.model.GraphPatch;
import atelier.model.Int8Quantizer;
import atelier.model.WeightOverride;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA merged into a model's text encoder and UNet weights at load, as kohya and A1111 merge it:
 * {@code W' = W + up @ down × alpha / rank × weight} for every matched module (linear, and conv
 * with a 1×1 or 3×3 down and a 1×1 up), summed over the LoRAs. The original weights are read from
 * the ONNX files (raw data or external data, one weight at a time); the patched ones become {@link
 * WeightOverride}s for ONNX Runtime, so nothing is rewritten on disk.
 *
 * <p>Stateless.
 */
public final class LoraPatch {

  /** Patched weights per graph and how each LoRA matched. */
  public record Result(GraphPatch textEncoder, GraphPatch unet, List<LoraMatch> matches) {}

  private LoraPatch() {}

  /**
   * Merges {@code uses} into the weights of the two graphs.
   *
   * @throws BadRequestException when a LoRA cannot be read, is another adapter format, or fewer
   *     than half of its modules fit the model (a LoRA for another architecture)
   * @throws atelier.ModelLoadException when a graph's weights cannot be read
   */
  public static Result apply(Path textEncoderGraph, Path unetGraph, List<LoraUse> uses) {
    if (uses.isEmpty()) {
      return new Result(GraphPatch.none(textEncoderGraph), GraphPatch.none(unetGraph), List.of());
    }
    OnnxWeights text = OnnxWeights.read(textEncoderGraph);
    OnnxWeights unet = OnnxWeights.read(unetGraph);
    long int8 = unet.nodes().stream().filter(n -> n.opType().equals(Int8Quantizer.OP)).count();
    if (int8 > 0) {
      throw new BadRequestException(
          "lora "
              + uses.get(0).name()
              + ": expected a float32 UNet to merge into, found an int8 variant ("
              + int8
              + " "
              + Int8Quantizer.OP
              + " nodes, made by atelier models optimize --int8); use the float32 model it was"
              + " made from with --lora");
    }
    LoraTargets textTargets = LoraTargets.of(text, "lora_te_");
    LoraTargets unetTargets = LoraTargets.of(unet, "lora_unet_");
    Map<LoraTargets.Target, float[]> deltas = new LinkedHashMap<>();
    List<LoraMatch> matches = new ArrayList<>();
    for (LoraUse use : uses) {
      try (LoraFile file = LoraFile.open(use.file())) {
        List<String> unmatched = new ArrayList<>();
        int matched = 0;
        for (LoraFile.Module m : file.modules().values()) {
          LoraTargets.Target t =
              m.name().startsWith("lora_unet_")
                  ? unetTargets.get(m.name())
                  : m.name().startsWith("lora_te_") ? textTargets.get(m.name()) : null;
          if (t == null) {
            unmatched.add(m.name() + " (no such module in this model)");
            continue;
          }
          String misfit = misfit(file, m, t);
          if (misfit != null) {
            unmatched.add(m.name() + " (" + misfit + ")");
            continue;
          }
          addDelta(file, m, t, use.weight(), deltas);
          matched++;
        }
        for (String key : file.unknownKeys()) {
          unmatched.add(key + " (not a LoRA module key)");
        }
        int modules = file.modules().size();
        if (matched * 2 < modules) {
          throw new BadRequestException(
              "lora "
                  + use.name()
                  + " ("
                  + use.file()
                  + "): expected a LoRA for this model's UNet and text encoder, found only "
                  + matched
                  + " of "
                  + modules
                  + " modules matching (a LoRA for another architecture, e.g. SDXL or SD 2.x?);"
                  + " not matched: "
                  + String.join(", ", unmatched.subList(0, Math.min(5, unmatched.size())))
                  + (unmatched.size() > 5 ? " and " + (unmatched.size() - 5) + " more" : ""));
        }
        matches.add(
            new LoraMatch(use, modules, matched, List.copyOf(unmatched), LoraHash.of(use.file())));
      }
    }
    Map<LoraTargets.Target, float[]> textDeltas = new LinkedHashMap<>();
    Map<LoraTargets.Target, float[]> unetDeltas = new LinkedHashMap<>();
    for (Map.Entry<LoraTargets.Target, float[]> e : deltas.entrySet()) {
      boolean isText = textTargets.all().containsValue(e.getKey());
      (isText ? textDeltas : unetDeltas).put(e.getKey(), e.getValue());
    }
    return new Result(patch(text, textDeltas), patch(unet, unetDeltas), List.copyOf(matches));
  }

  /**
   * The patched graph: weights inside the graph file are overwritten in a copy of its bytes (same
   * length, so the protobuf stays valid), external ones become overrides.
   */
  private static GraphPatch patch(OnnxWeights graph, Map<LoraTargets.Target, float[]> deltas) {
    byte[] bytes = null;
    List<WeightOverride> external = new ArrayList<>();
    for (Map.Entry<LoraTargets.Target, float[]> e : deltas.entrySet()) {
      LoraTargets.Target t = e.getKey();
      OnnxWeights.Initializer init = t.weight();
      float[] w = graph.readFloats(init);
      add(w, e.getValue(), t);
      if (!init.file().equals(graph.file())) {
        external.add(new WeightOverride(init.name(), init.dims(), w));
        continue;
      }
      if (init.offset() < 0) {
        throw new ModelLoadException(
            "LoRA: "
                + graph.file()
                + ": weight "
                + init.name()
                + " expected as raw data or external data, found float_data (re-export the"
                + " model with raw data)");
      }
      if (bytes == null) {
        bytes = readAll(graph.file());
      }
      ByteBuffer.wrap(bytes, (int) init.offset(), 4 * w.length)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .put(w);
    }
    return new GraphPatch(graph.file(), bytes, external);
  }

  private static byte[] readAll(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ModelLoadException(
          "LoRA: cannot read " + file + " to patch its weights (" + e.getMessage() + ")", e);
    }
  }

  /** Why the module's shapes do not fit the weight, or null when they do. */
  private static String misfit(LoraFile file, LoraFile.Module m, LoraTargets.Target t) {
    long[] down = file.shape(m.down());
    long[] up = file.shape(m.up());
    long[] w = t.weight().dims();
    String shapes =
        "down "
            + Arrays.toString(down)
            + ", up "
            + Arrays.toString(up)
            + " do not fit weight "
            + Arrays.toString(w);
    if (down.length < 2 || up.length < 2 || up[1] != down[0]) {
      return shapes;
    }
    for (int i = 2; i < up.length; i++) {
      if (up[i] != 1) {
        return shapes + " (up must be 1×1)";
      }
    }
    long rest = 1;
    for (int i = 1; i < down.length; i++) {
      rest *= down[i];
    }
    if (up[0] != t.out() || up[0] * rest != t.weight().elements()) {
      return shapes;
    }
    if (t.layout() == LoraTargets.Layout.AS_TORCH && w.length == 4 && down.length == 4) {
      if (down[1] != w[1] || down[2] != w[2] || down[3] != w[3]) {
        return shapes;
      }
    }
    return null;
  }

  /** Adds {@code up @ down × alpha/rank × weight} (PyTorch layout) into the target's delta. */
  private static void addDelta(
      LoraFile file,
      LoraFile.Module m,
      LoraTargets.Target t,
      double weight,
      Map<LoraTargets.Target, float[]> deltas) {
    long[] downShape = file.shape(m.down());
    int rank = (int) downShape[0];
    float[] down = file.read(m.down());
    float[] up = file.read(m.up());
    int out = (int) t.out();
    int rest = down.length / rank;
    double scale = weight * file.alpha(m) / rank;
    float[] delta = deltas.computeIfAbsent(t, k -> new float[out * rest]);
    for (int o = 0; o < out; o++) {
      for (int k = 0; k < rest; k++) {
        double s = 0;
        for (int r = 0; r < rank; r++) {
          s += (double) up[o * rank + r] * down[r * rest + k];
        }
        delta[o * rest + k] += (float) (s * scale);
      }
    }
  }

  /** Adds a PyTorch-layout delta to the weight as the graph lays it out. */
  private static void add(float[] w, float[] delta, LoraTargets.Target t) {
    if (t.layout() == LoraTargets.Layout.AS_TORCH) {
      for (int i = 0; i < w.length; i++) {
        w[i] += delta[i];
      }
      return;
    }
    int in = (int) t.weight().dims()[0];
    int out = (int) t.weight().dims()[1];
    for (int i = 0; i < in; i++) {
      for (int o = 0; o < out; o++) {
        w[i * out + o] += delta[o * in + i];
      }
    }
  }
}

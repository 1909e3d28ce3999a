package atelier.model.lora;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The weights of one ONNX graph that a kohya LoRA can patch, by kohya module name ({@code
 * lora_unet_down_blocks_0_attentions_0_proj_in}).
 *
 * <p>How a node is named: Conv and Gemm weights keep their PyTorch parameter name ({@code
 * down_blocks.0.attentions.0.proj_in.weight}), which gives the module directly. MatMul weights are
 * anonymous ({@code onnx::MatMul_1549}, the transposed Linear weight), so the module comes from the
 * node's name ({@code /down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q/MatMul}), or from
 * the bias of a node in the same scope ({@code /…/proj_in/Add} adds {@code
 * up_blocks.1.attentions.0.proj_in.bias}). Some exporters drop the outer scopes and number repeats
 * ({@code /attentions.0/transformer_blocks.0/attn1/to_q_1/MatMul}); then the repeat number is
 * dropped and the missing outer path is taken from the nearest preceding named parameter with the
 * same inner scope ({@code up_blocks.1.attentions.0.transformer_blocks.0.norm1.weight}). A module
 * that two weights claim is left out (reported as unmatched), and every patch is checked against
 * the weight's shape.
 *
 * <p>Immutable; thread-safe.
 */
public final class LoraTargets {
  /** How the weight is laid out relative to PyTorch's {@code [out, in, …]}. */
  public enum Layout {
    /** {@code [out, in, kh, kw]} or {@code [out, in]} as in PyTorch (Conv, Gemm with transB=1). */
    AS_TORCH,
    /** {@code [in, out]}: MatMul, Gemm with transB=0. */
    TRANSPOSED
  }

  /** One patchable weight. */
  public record Target(String module, OnnxWeights.Initializer weight, Layout layout) {

    /** Output features (PyTorch's first axis). */
    public long out() {
      return layout == Layout.AS_TORCH ? weight.dims()[0] : weight.dims()[1];
    }
  }

  private static final Pattern REPEAT = Pattern.compile("_\\d+$");
  private final Map<String, Target> byKohyaName;

  private LoraTargets(Map<String, Target> byKohyaName) {
    this.byKohyaName = Collections.unmodifiableMap(byKohyaName);
  }

  /**
   * The targets of a graph.
   *
   * @param prefix the kohya prefix of the graph's modules: {@code lora_unet_} or {@code lora_te_}
   */
  public static LoraTargets of(OnnxWeights graph, String prefix) {
    Map<String, String> scopes = new HashMap<>();
    for (OnnxWeights.Node node : graph.nodes()) {
      for (String in : node.inputs()) {
        if (graph.initializers().containsKey(in) && isParameterName(in)) {
          scopes.putIfAbsent(scope(node.name()), in.substring(0, in.lastIndexOf('.')));
        }
      }
    }
    Map<String, Target> map = new LinkedHashMap<>();
    Set<String> ambiguous = new HashSet<>();
    List<String> named = new ArrayList<>();
    for (OnnxWeights.Node node : graph.nodes()) {
      for (String in : node.inputs()) {
        if (graph.initializers().containsKey(in) && isParameterName(in)) {
          named.add(in.substring(0, in.lastIndexOf('.')));
        }
      }
      Target t = target(graph, node, scopes, named);
      if (t != null) {
        String key = prefix + t.module().replace('.', '_');
        if (map.containsKey(key) && !map.get(key).weight().name().equals(t.weight().name())) {
          ambiguous.add(key);
        }
        map.putIfAbsent(key, t);
      }
    }
    map.keySet().removeAll(ambiguous);
    return new LoraTargets(map);
  }

  /**
   * The node's scope: its name without the last segment ({@code /a/b_1/MatMul} → {@code /a/b_1}).
   */
  private static String scope(String nodeName) {
    int slash = nodeName.lastIndexOf('/');
    return slash <= 0 ? "" : nodeName.substring(0, slash);
  }

  private static boolean isParameterName(String name) {
    return (name.endsWith(".weight") || name.endsWith(".bias")) && !name.startsWith("onnx::");
  }

  private static Target target(
      OnnxWeights graph, OnnxWeights.Node node, Map<String, String> scopes, List<String> named) {
    String op = node.opType();
    if (!(op.equals("Conv") || op.equals("Gemm") || op.equals("MatMul"))) {
      return null;
    }
    OnnxWeights.Initializer w = null;
    for (int i = 0; i < node.inputs().size() && i < 2; i++) {
      OnnxWeights.Initializer candidate = graph.initializers().get(node.inputs().get(i));
      if (candidate != null && (i == 1 || op.equals("MatMul"))) {
        w = candidate;
        break;
      }
    }
    if (w == null || (op.equals("Conv") ? w.dims().length < 3 : w.dims().length != 2)) {
      return null;
    }
    Layout layout =
        switch (op) {
          case "Conv" -> Layout.AS_TORCH;
          case "Gemm" ->
              node.ints().getOrDefault("transB", 0L) == 1L ? Layout.AS_TORCH : Layout.TRANSPOSED;
          default -> Layout.TRANSPOSED;
        };
    String module;
    if (isParameterName(w.name())) {
      module = w.name().substring(0, w.name().lastIndexOf('.'));
    } else if (!scope(node.name()).isEmpty() && scopes.containsKey(scope(node.name()))) {
      module = scopes.get(scope(node.name())); // a Linear with a bias: the bias names the module
    } else {
      module = moduleFromNodeName(node.name(), named);
    }
    return module == null ? null : new Target(module, w, layout);
  }

  /**
   * The PyTorch module path of a node named {@code /a/b.0/c_1/MatMul}: its scopes with repeat
   * numbers dropped, completed from the nearest preceding parameter with the same first scope.
   */
  static String moduleFromNodeName(String nodeName, List<String> named) {
    String[] parts = nodeName.startsWith("/") ? nodeName.substring(1).split("/") : new String[0];
    if (parts.length < 2) {
      return null;
    }
    List<String> scopes = new ArrayList<>();
    for (int i = 0; i < parts.length - 1; i++) {
      scopes.add(REPEAT.matcher(parts[i]).replaceFirst(""));
    }
    String inner = String.join(".", scopes);
    String head = scopes.get(0);
    for (int i = named.size() - 1; i >= 0; i--) {
      String path = named.get(i);
      if (path.equals(head) || path.startsWith(head + ".")) {
        return inner;
      }
      int at = path.lastIndexOf("." + head + ".");
      if (at < 0 && path.endsWith("." + head)) {
        at = path.length() - head.length() - 1;
      }
      if (at >= 0) {
        return path.substring(0, at + 1) + inner;
      }
    }
    return inner;
  }

  /** The target for a kohya module name, or null. */
  public Target get(String kohyaName) {
    return byKohyaName.get(kohyaName);
  }

  /** Every target by kohya module name, in graph order. */
  public Map<String, Target> all() {
    return byKohyaName;
  }

  /** How many weights can be patched. */
  public int size() {
    return byKohyaName.size();
  }
}

package atelier.upscale;

import atelier.ModelLoadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A TensorFlow.js layers model ({@code model.json} with {@code "format": "layers-model"} and its
 * binary weight shards), read into layers and named weights. Only the Keras functional topology is
 * read (a {@code Functional} or {@code Model} class with {@code layers}, {@code input_layers} and
 * {@code output_layers}); weights may be float32 or quantised (uint8/uint16 affine, float16).
 *
 * <p>Immutable after reading.
 *
 * @param origin where the model came from, for messages
 * @param layers the layers in file order (Keras writes them in an order where inputs come first)
 * @param inputs the model's input tensors
 * @param outputs the model's output tensors
 * @param weights weights by name ({@code layer/kernel}), with Keras's shapes
 */
public record TfjsLayersModel(
    String origin,
    List<Layer> layers,
    List<TensorRef> inputs,
    List<TensorRef> outputs,
    Map<String, Weight> weights) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public TfjsLayersModel {
    Objects.requireNonNull(origin, "origin");
    layers = List.copyOf(layers);
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    weights = Map.copyOf(weights);
  }

  /** Reference to output {@code tensor} of call {@code node} of layer {@code layer}. */
  public record TensorRef(String layer, int node, int tensor) {
    public TensorRef {
      Objects.requireNonNull(layer, "layer");
    }
  }

  /**
   * One layer: its Keras class, name, config and the inputs of each call ({@code inbound.get(n)}
   * for the n-th call; a layer called once has one entry, an input layer none).
   */
  public record Layer(
      String className, String name, JsonNode config, List<List<TensorRef>> inbound) {
    public Layer {
      Objects.requireNonNull(className, "className");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(config, "config");
      inbound = List.copyOf(inbound.stream().map(List::copyOf).toList());
    }
  }

  /** A weight tensor in row-major order with its Keras shape (Conv2D kernels are HWIO). */
  public record Weight(String name, float[] data, int[] shape) {
    public Weight {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(data, "data");
      shape = shape.clone();
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      if (n != data.length) {
        throw new IllegalArgumentException(
            "weight " + name + ": expected " + n + " values for its shape, found " + data.length);
      }
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }
  }

  /** Source of the files a model.json names (its weight shards), by path relative to it. */
  @FunctionalInterface
  public interface FileSource {
    /**
     * The bytes of {@code relative}.
     *
     * @throws ModelLoadException when it is missing
     */
    byte[] read(String relative);
  }

  /**
   * Reads {@code model.json} and the shards beside it.
   *
   * @throws ModelLoadException when a file is missing or the model is not a layers model
   */
  public static TfjsLayersModel read(Path modelJson) {
    Path dir = modelJson.toAbsolutePath().getParent();
    try {
      byte[] json = Files.readAllBytes(modelJson);
      return parse(
          json,
          relative -> {
            Path p = dir.resolve(relative);
            try {
              return Files.readAllBytes(p);
            } catch (IOException e) {
              throw new ModelLoadException(
                  modelJson + ": expected the weight shard " + p + ", found none", e);
            }
          },
          modelJson.toString());
    } catch (IOException e) {
      throw new ModelLoadException(
          "expected a TensorFlow.js model.json at " + modelJson + ", found none", e);
    }
  }

  /**
   * Parses a model.json, reading its shards through {@code files}.
   *
   * @param origin names the model in messages
   * @throws ModelLoadException when the JSON is not a TensorFlow.js layers model
   */
  public static TfjsLayersModel parse(byte[] modelJson, FileSource files, String origin) {
    JsonNode root;
    try {
      root = JSON.readTree(modelJson);
    } catch (IOException e) {
      throw new ModelLoadException(origin + ": expected JSON, found: " + e.getMessage(), e);
    }
    String format = root.path("format").asText("");
    if (!format.equals("layers-model")) {
      throw new ModelLoadException(
          origin
              + ": expected a TensorFlow.js layers model (\"format\": \"layers-model\"), found "
              + (format.isEmpty() ? "no format" : "\"" + format + "\""));
    }
    JsonNode topology = root.path("modelTopology");
    JsonNode modelConfig = topology.has("model_config") ? topology.get("model_config") : topology;
    String cls = modelConfig.path("class_name").asText("");
    JsonNode config = modelConfig.path("config");
    if (!(cls.equals("Functional") || cls.equals("Model")) || !config.has("layers")) {
      throw new ModelLoadException(
          origin
              + ": expected a Keras functional model (class Functional or Model), found "
              + (cls.isEmpty() ? "none" : cls));
    }
    List<Layer> layers = new ArrayList<>();
    for (JsonNode l : config.get("layers")) {
      List<List<TensorRef>> inbound = new ArrayList<>();
      for (JsonNode call : l.path("inbound_nodes")) {
        // Keras 2 writes [[name, node, tensor, kwargs], ...] per call; Keras 3 style dicts are
        // not produced by the TensorFlow.js converter versions these packages use.
        List<TensorRef> refs = new ArrayList<>();
        for (JsonNode ref : call) {
          refs.add(tensorRef(ref, origin));
        }
        inbound.add(refs);
      }
      String name = l.has("name") ? l.get("name").asText() : l.path("config").path("name").asText();
      layers.add(new Layer(l.path("class_name").asText(), name, l.path("config"), inbound));
    }
    List<TensorRef> inputs = refs(config.path("input_layers"), origin);
    List<TensorRef> outputs = refs(config.path("output_layers"), origin);
    return new TfjsLayersModel(
        origin, layers, inputs, outputs, weights(root.path("weightsManifest"), files, origin));
  }

  private static List<TensorRef> refs(JsonNode node, String origin) {
    List<TensorRef> out = new ArrayList<>();
    if (node.isArray() && node.size() > 0 && node.get(0).isTextual()) {
      out.add(tensorRef(node, origin)); // a single [name, node, tensor]
    } else {
      node.forEach(n -> out.add(tensorRef(n, origin)));
    }
    return out;
  }

  private static TensorRef tensorRef(JsonNode ref, String origin) {
    if (!ref.isArray() || ref.size() < 3 || !ref.get(0).isTextual()) {
      throw new ModelLoadException(
          origin + ": expected a tensor reference [layer, node, tensor], found " + ref);
    }
    return new TensorRef(ref.get(0).asText(), ref.get(1).asInt(), ref.get(2).asInt());
  }

  private static Map<String, Weight> weights(JsonNode manifest, FileSource files, String origin) {
    Map<String, Weight> out = new LinkedHashMap<>();
    for (JsonNode group : manifest) {
      List<byte[]> shards = new ArrayList<>();
      int total = 0;
      for (JsonNode p : group.path("paths")) {
        byte[] b = files.read(p.asText());
        shards.add(b);
        total += b.length;
      }
      ByteBuffer buf = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
      shards.forEach(buf::put);
      buf.flip();
      for (JsonNode w : group.path("weights")) {
        Weight weight = weight(w, buf, origin);
        out.put(weight.name(), weight);
      }
      if (buf.hasRemaining()) {
        throw new ModelLoadException(
            origin
                + ": expected the weight shards to hold exactly the manifest's weights, found "
                + buf.remaining()
                + " bytes left over");
      }
    }
    return out;
  }

  private static Weight weight(JsonNode w, ByteBuffer buf, String origin) {
    String name = w.path("name").asText();
    int[] shape = new int[w.path("shape").size()];
    int n = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = w.path("shape").get(i).asInt();
      n *= shape[i];
    }
    String dtype = w.path("dtype").asText("float32");
    if (!dtype.equals("float32")) {
      throw new ModelLoadException(
          origin + ": weight " + name + ": expected dtype float32, found " + dtype);
    }
    JsonNode q = w.path("quantization");
    String stored = q.isMissingNode() || q.isNull() ? "float32" : q.path("dtype").asText();
    int bytes =
        switch (stored) {
          case "float32" -> 4;
          case "uint16", "float16" -> 2;
          case "uint8" -> 1;
          default ->
              throw new ModelLoadException(
                  origin
                      + ": weight "
                      + name
                      + ": expected quantisation uint8, uint16 or float16, found "
                      + stored);
        };
    if (buf.remaining() < (long) n * bytes) {
      throw new ModelLoadException(
          origin
              + ": weight "
              + name
              + ": expected "
              + (long) n * bytes
              + " bytes in the shards, found "
              + buf.remaining());
    }
    float[] data = new float[n];
    float scale = (float) q.path("scale").asDouble(1);
    float min = (float) q.path("min").asDouble(0);
    for (int i = 0; i < n; i++) {
      data[i] =
          switch (stored) {
            case "float32" -> buf.getFloat();
            case "float16" -> halfToFloat(buf.getShort());
            case "uint16" -> (buf.getShort() & 0xffff) * scale + min;
            default -> (buf.get() & 0xff) * scale + min;
          };
    }
    return new Weight(name, data, shape);
  }

  /** The layer called {@code name}. */
  public Layer layer(String name) {
    for (Layer l : layers) {
      if (l.name().equals(name)) {
        return l;
      }
    }
    throw new ModelLoadException(origin + ": expected a layer named " + name + ", found none");
  }

  /** Counts of layers by Keras class, for messages and records. */
  public Map<String, Integer> layerCounts() {
    Map<String, Integer> m = new HashMap<>();
    layers.forEach(l -> m.merge(l.className(), 1, Integer::sum));
    return m;
  }

  /** IEEE 754 half precision to float (Java 17 has no {@code Float.float16ToFloat}). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}

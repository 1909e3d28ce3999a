package atelier.model.checkpoint;

import atelier.ModelLoadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * One architecture that checkpoints convert to: the weightless ONNX graph of each stage (a resource
 * written by {@code tools/checkpoint/make_templates.py}), where each weight goes in the stage's
 * external-data file, which checkpoint key it is read from and how, and the small files (configs,
 * tokenizer) of the model folder per family variant.
 *
 * <p>Templates are listed in {@code atelier/model/checkpoint/index.txt} resources (every one on the
 * class path is read, so tests add the tiny architectures). Immutable and thread-safe.
 *
 * @param arch the architecture id, e.g. {@code sd1}
 * @param family the checkpoint family it serves ({@code sd1} or {@code sd2})
 * @param description sizes, for messages
 * @param variants per family variant ({@code sd1}, {@code sd2}, {@code sd2-v}): folder path →
 *     resource
 * @param ignored checkpoint keys this architecture leaves out by design (SD 2.x's last text layer)
 * @param keys every checkpoint key the template reads, with its expected shape
 * @param stages the ONNX stages
 */
public record CheckpointTemplate(
    String arch,
    String family,
    String description,
    Map<String, Map<String, String>> variants,
    List<Pattern> ignored,
    Map<String, long[]> keys,
    List<Stage> stages) {

  static final String ROOT = "atelier/model/checkpoint/";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A stage folder: its graph and its external-data file.
   *
   * @param folder e.g. {@code unet}
   * @param graph the gzip resource of the weightless graph
   * @param data the external-data file name the graph refers to
   * @param dataBytes the size of that file
   * @param tensors the weights, in file order
   */
  public record Stage(
      String folder, String graph, String data, long dataBytes, List<Weight> tensors) {}

  /**
   * One initializer of a graph and where its float32 bytes come from.
   *
   * @param name the initializer's name
   * @param key the checkpoint key
   * @param param the stage folder and the diffusers parameter name it holds, e.g. {@code
   *     unet/conv_in.weight} (the names of a diffusers-format folder's weights)
   * @param shape the initializer's shape
   * @param rows the first and last-plus-one row of the checkpoint tensor it takes, or null for all
   * @param transpose whether the (row-sliced) tensor, as a matrix, is written transposed
   * @param offset where it starts in the external-data file
   * @param length its size in bytes
   */
  public record Weight(
      String name,
      String key,
      String param,
      long[] shape,
      int[] rows,
      boolean transpose,
      long offset,
      long length) {}

  /** Every template on the class path, in index order. */
  public static List<CheckpointTemplate> available() {
    List<CheckpointTemplate> out = new ArrayList<>();
    try {
      Enumeration<URL> indexes =
          CheckpointTemplate.class.getClassLoader().getResources(ROOT + "index.txt");
      while (indexes.hasMoreElements()) {
        URL url = indexes.nextElement();
        try (BufferedReader r =
            new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (!line.isBlank()) {
              out.add(load(line.trim()));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new ModelLoadException("checkpoint templates cannot be read: " + e.getMessage(), e);
    }
    return out;
  }

  /** Reads one template by architecture id. */
  static CheckpointTemplate load(String arch) {
    JsonNode n;
    try (InputStream in = resource(arch, "template.json.gz")) {
      n = JSON.readTree(in);
    } catch (IOException e) {
      throw new ModelLoadException(
          "checkpoint template " + arch + " cannot be read: " + e.getMessage(), e);
    }
    Map<String, Map<String, String>> variants = new LinkedHashMap<>();
    n.get("variants")
        .fields()
        .forEachRemaining(
            v -> {
              Map<String, String> files = new LinkedHashMap<>();
              v.getValue()
                  .fields()
                  .forEachRemaining(f -> files.put(f.getKey(), f.getValue().asText()));
              variants.put(v.getKey(), files);
            });
    List<Pattern> ignored = new ArrayList<>();
    n.get("ignored").forEach(p -> ignored.add(Pattern.compile(p.asText())));
    Map<String, long[]> keys = new LinkedHashMap<>();
    n.get("keys").fields().forEachRemaining(k -> keys.put(k.getKey(), longs(k.getValue())));
    List<Stage> stages = new ArrayList<>();
    for (JsonNode s : n.get("stages")) {
      List<Weight> weights = new ArrayList<>();
      for (JsonNode t : s.get("tensors")) {
        JsonNode rows = t.get("rows");
        weights.add(
            new Weight(
                t.get("name").asText(),
                t.get("key").asText(),
                t.get("param").asText(),
                longs(t.get("shape")),
                rows == null || rows.isNull()
                    ? null
                    : new int[] {rows.get(0).asInt(), rows.get(1).asInt()},
                t.get("transpose").asBoolean(),
                t.get("offset").asLong(),
                t.get("length").asLong()));
      }
      stages.add(
          new Stage(
              s.get("folder").asText(),
              s.get("graph").asText(),
              s.get("data").asText(),
              s.get("dataBytes").asLong(),
              List.copyOf(weights)));
    }
    return new CheckpointTemplate(
        n.get("arch").asText(),
        n.get("family").asText(),
        n.get("description").asText(),
        variants,
        List.copyOf(ignored),
        keys,
        List.copyOf(stages));
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }

  /** Whether a checkpoint key is one this architecture leaves out by design. */
  public boolean ignores(String key) {
    for (Pattern p : ignored) {
      if (p.matcher(key).matches()) {
        return true;
      }
    }
    return false;
  }

  /** The total size of the external-data files. */
  public long dataBytes() {
    return stages.stream().mapToLong(Stage::dataBytes).sum();
  }

  /**
   * Opens a resource of this template: a name inside its folder, or a path from the class-path root
   * when it starts with "/"; a {@code .gz} resource is decompressed.
   */
  InputStream open(String name) throws IOException {
    return resource(arch, name);
  }

  private static InputStream resource(String arch, String name) throws IOException {
    String path = name.startsWith("/") ? name.substring(1) : ROOT + arch + "/" + name;
    InputStream in = CheckpointTemplate.class.getClassLoader().getResourceAsStream(path);
    if (in == null) {
      throw new IOException("resource " + path + " is missing");
    }
    return path.endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
  }
}

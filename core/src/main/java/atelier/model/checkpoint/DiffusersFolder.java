package atelier.model.checkpoint;

import atelier.BadRequestException;
import atelier.model.ModelFamily;
import atelier.model.SafeTensors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A diffusers-format folder of {@code .safetensors} weights (what {@code save_pretrained} writes:
 * {@code model_index.json}, {@code unet/diffusion_pytorch_model.safetensors}, {@code
 * vae/diffusion_pytorch_model.safetensors}, {@code text_encoder/model.safetensors}, {@code
 * tokenizer/}, {@code scheduler/scheduler_config.json}), read for conversion with the same
 * templates as single-file checkpoints: the templates record each weight's diffusers parameter name
 * ({@link CheckpointTemplate.Weight#param}).
 *
 * <p>Each component's weights are the float32 file, else the {@code fp16} variant ({@code
 * *.fp16.safetensors}), either one file or shards listed by a {@code *.safetensors.index.json}. The
 * VAE's attention may use the 2022 names ({@code query}, {@code key}, {@code value}, {@code
 * proj_attn}). Owns the files it opens; not thread-safe; close it after the conversion.
 */
public final class DiffusersFolder implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> COMPONENTS = List.of("text_encoder", "unet", "vae");
  private static final List<String> TOKENIZER =
      List.of("vocab.json", "merges.txt", "special_tokens_map.json", "tokenizer_config.json");
  private static final Map<String, String> OLD_VAE_ATTENTION =
      Map.of("to_q", "query", "to_k", "key", "to_v", "value", "to_out.0", "proj_attn");

  /** Tensors that are not weights of the model: never converted. */
  private static final Pattern IGNORED_BY_RULE =
      Pattern.compile("text_model\\.embeddings\\.position_ids|text_projection\\.weight");

  private final Path dir;
  private final Map<String, Map<String, SafeTensors>> byKey;
  private final Map<String, List<Path>> files;
  private final List<SafeTensors> opened;

  private DiffusersFolder(
      Path dir,
      Map<String, Map<String, SafeTensors>> byKey,
      Map<String, List<Path>> files,
      List<SafeTensors> opened) {
    this.dir = dir;
    this.byKey = byKey;
    this.files = files;
    this.opened = opened;
  }

  /**
   * Whether a path is a diffusers-format folder of PyTorch weights: a folder with {@code
   * model_index.json}, no ONNX graph, and weight files ({@code .safetensors}, their shard index, or
   * pickled {@code .bin}) in its component folders.
   */
  public static boolean isDiffusers(Path path) {
    if (!Files.isDirectory(path) || !Files.isRegularFile(path.resolve("model_index.json"))) {
      return false;
    }
    boolean weights = false;
    try (Stream<Path> children = Files.list(path)) {
      for (Path child : (Iterable<Path>) children::iterator) {
        if (!Files.isDirectory(child)) {
          continue;
        }
        try (Stream<Path> inner = Files.list(child)) {
          for (Path f : (Iterable<Path>) inner::iterator) {
            String name = f.getFileName().toString();
            if (name.endsWith(".onnx")) {
              return false;
            }
            weights |=
                name.endsWith(".safetensors")
                    || name.endsWith(".safetensors.index.json")
                    || name.endsWith(".bin");
          }
        }
      }
    } catch (IOException e) {
      return false;
    }
    return weights;
  }

  /**
   * Opens the weights of the folder's text encoder, UNet and VAE.
   *
   * @throws BadRequestException for SDXL, SD3/Flux-style folders, a component without weights
   *     (pickled {@code .bin} only included), or a shard index that does not fit its shards
   */
  public static DiffusersFolder open(Path dir) {
    JsonNode index = readJson(dir.resolve("model_index.json"));
    String cls = index.path("_class_name").asText("");
    if (index.has("text_encoder_2") || Files.isDirectory(dir.resolve("text_encoder_2"))) {
      throw new BadRequestException(
          dir
              + ": a Stable Diffusion XL folder ("
              + (cls.isEmpty() ? "" : cls + ", ")
              + "two text encoders: text_encoder_2/); expected a Stable Diffusion 1.x or 2.x folder"
              + " (SDXL cannot be converted)");
    }
    if (index.has("transformer") || Files.isDirectory(dir.resolve("transformer"))) {
      throw new BadRequestException(
          dir
              + ": a "
              + (cls.isEmpty() ? "transformer-based" : cls)
              + " folder (a transformer/ in place of unet/, as SD3 and Flux have); expected a"
              + " Stable Diffusion 1.x or 2.x folder (with unet/)");
    }
    Map<String, Map<String, SafeTensors>> byKey = new LinkedHashMap<>();
    Map<String, List<Path>> files = new LinkedHashMap<>();
    List<SafeTensors> opened = new ArrayList<>();
    try {
      for (String c : COMPONENTS) {
        Map<String, SafeTensors> keys = new LinkedHashMap<>();
        files.put(c, openComponent(dir, c, keys, opened));
        byKey.put(c, keys);
      }
    } catch (RuntimeException e) {
      opened.forEach(SafeTensors::close);
      throw e;
    }
    return new DiffusersFolder(dir, byKey, files, opened);
  }

  private static List<Path> openComponent(
      Path dir, String component, Map<String, SafeTensors> keys, List<SafeTensors> opened) {
    Path folder = dir.resolve(component);
    String base = component.equals("text_encoder") ? "model" : "diffusion_pytorch_model";
    for (String variant : List.of("", ".fp16")) {
      Path single = folder.resolve(base + variant + ".safetensors");
      Path index = folder.resolve(base + variant + ".safetensors.index.json");
      if (Files.isRegularFile(single)) {
        SafeTensors st = SafeTensors.open(single);
        opened.add(st);
        st.tensors().keySet().forEach(k -> keys.put(k, st));
        return List.of(single);
      }
      if (Files.isRegularFile(index)) {
        return openShards(index, keys, opened);
      }
    }
    String found;
    if (!Files.isDirectory(folder)) {
      found = "no " + component + "/ folder";
    } else {
      List<String> names = new ArrayList<>();
      try (Stream<Path> s = Files.list(folder)) {
        s.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
      } catch (IOException e) {
        throw new BadRequestException(folder + ": cannot be read (" + e.getMessage() + ")", e);
      }
      boolean pickled = names.stream().anyMatch(n -> n.endsWith(".bin"));
      found =
          (names.isEmpty() ? "an empty folder" : String.join(", ", names))
              + (pickled
                  ? " (a .bin is a pickled PyTorch file, which can run code when loaded; it is not"
                      + " read)"
                  : "");
    }
    throw new BadRequestException(
        dir
            + ": expected the "
            + component
            + " weights in "
            + component
            + "/"
            + base
            + ".safetensors (or ."
            + "fp16.safetensors, or shards listed by a .safetensors.index.json), found "
            + found);
  }

  private static List<Path> openShards(
      Path index, Map<String, SafeTensors> keys, List<SafeTensors> opened) {
    JsonNode map = readJson(index).get("weight_map");
    if (map == null || !map.isObject() || map.isEmpty()) {
      throw new BadRequestException(
          index + ": expected a shard index with a weight_map object, found none");
    }
    Map<String, SafeTensors> shards = new LinkedHashMap<>();
    List<Path> paths = new ArrayList<>(List.of(index));
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String shard = e.getValue().asText();
      if (!e.getValue().isTextual()
          || shard.isEmpty()
          || shard.contains("/")
          || shard.contains("\\")
          || shard.startsWith(".")) {
        throw new BadRequestException(
            index
                + ": expected shard file names beside it, found "
                + e.getValue()
                + " for "
                + e.getKey());
      }
      SafeTensors st = shards.get(shard);
      if (st == null) {
        Path p = index.resolveSibling(shard);
        st = SafeTensors.open(p);
        opened.add(st);
        shards.put(shard, st);
        paths.add(p);
      }
      if (!st.contains(e.getKey())) {
        throw new BadRequestException(
            index
                + ": expected "
                + e.getKey()
                + " in "
                + shard
                + " as its weight_map says, found no such tensor there");
      }
      keys.put(e.getKey(), st);
    }
    return paths;
  }

  /**
   * Plans the conversion: the family, the template and the source of every weight, checked.
   *
   * @param family the user's {@code --family} (sd1, sd2, sd2-v), or null to tell it from the
   *     configs
   * @throws BadRequestException for a family that cannot be told or does not fit, missing weights
   *     or weights of another shape
   */
  public Plan plan(String family, List<CheckpointTemplate> templates) {
    String[] told = detectFamily();
    ModelFamily detected = ModelFamily.lookup(told[0]);
    ModelFamily chosen = detected;
    String source = told[1];
    if (family != null) {
      chosen = ModelFamily.lookup(family);
      if (chosen != ModelFamily.SD1 && chosen != ModelFamily.SD2 && chosen != ModelFamily.SD2_V) {
        throw new BadRequestException(
            "--family "
                + family
                + ": expected sd1, sd2 or sd2-v for a checkpoint, found "
                + family);
      }
      if ((chosen == ModelFamily.SD1) != (detected == ModelFamily.SD1)) {
        throw new BadRequestException(
            "--family "
                + family
                + ": "
                + dir
                + " is an "
                + (detected == ModelFamily.SD1 ? "SD 1.x" : "SD 2.x")
                + " folder ("
                + told[1]
                + "); expected --family "
                + (detected == ModelFamily.SD1 ? "sd1" : "sd2 or sd2-v")
                + ", found "
                + family);
      }
      source = "--family";
    }
    String familyTemplate = chosen == ModelFamily.SD1 ? "sd1" : "sd2";
    CheckpointTemplate best = null;
    int bestMatches = -1;
    for (CheckpointTemplate t : templates) {
      if (!t.family().equals(familyTemplate)) {
        continue;
      }
      int matches = 0;
      for (CheckpointTemplate.Stage s : t.stages()) {
        for (CheckpointTemplate.Weight w : s.tensors()) {
          SafeTensors.TensorInfo info = info(w);
          if (info != null && info.elements() == elements(w.shape())) {
            matches++;
          }
        }
      }
      if (matches > bestMatches) {
        best = t;
        bestMatches = matches;
      }
    }
    if (best == null) {
      throw new BadRequestException(
          dir + ": no conversion template for an " + familyTemplate + " model is installed");
    }
    check(best);
    Map<String, Boolean> read = new LinkedHashMap<>();
    for (CheckpointTemplate.Stage s : best.stages()) {
      for (CheckpointTemplate.Weight w : s.tensors()) {
        read.put(component(w) + "/" + keyOf(w), true);
      }
    }
    int used = 0;
    int ignored = 0;
    List<String> unused = new ArrayList<>();
    for (Map.Entry<String, Map<String, SafeTensors>> c : byKey.entrySet()) {
      for (String k : c.getValue().keySet()) {
        if (read.containsKey(c.getKey() + "/" + k)) {
          used++;
        } else if (IGNORED_BY_RULE.matcher(k).matches()) {
          ignored++;
        } else {
          unused.add(c.getKey() + "/" + k);
        }
      }
    }
    return new Plan(
        this, best, chosen, source, used, ignored, List.copyOf(unused), copied(family, chosen));
  }

  /** The weight files read (shard indexes included), for the source hash. */
  public List<Path> weightFiles() {
    return files.values().stream().flatMap(List::stream).toList();
  }

  /** The folder. */
  public Path dir() {
    return dir;
  }

  /** sd1/sd2/sd2-v and how it was told. */
  private String[] detectFamily() {
    Path unetConfig = dir.resolve("unet/config.json");
    String sd;
    String how;
    JsonNode cross =
        Files.isRegularFile(unetConfig) ? readJson(unetConfig).get("cross_attention_dim") : null;
    if (cross != null && cross.asInt() == 768) {
      sd = "sd1";
      how = "unet/config.json cross_attention_dim 768";
    } else if (cross != null && cross.asInt() == 1024) {
      sd = "sd2";
      how = "unet/config.json cross_attention_dim 1024";
    } else {
      Path textConfig = dir.resolve("text_encoder/config.json");
      String act =
          Files.isRegularFile(textConfig) ? readJson(textConfig).path("hidden_act").asText("") : "";
      if (act.equals("quick_gelu")) {
        sd = "sd1";
      } else if (act.equals("gelu")) {
        sd = "sd2";
      } else {
        throw new BadRequestException(
            dir
                + ": expected an SD 1.x or 2.x folder (unet/config.json cross_attention_dim 768 or"
                + " 1024, or a CLIP text encoder with hidden_act quick_gelu or gelu), found "
                + (cross == null ? "no cross_attention_dim" : "cross_attention_dim " + cross)
                + " and "
                + (act.isEmpty() ? "no hidden_act" : "hidden_act " + act));
      }
      how = "text_encoder/config.json hidden_act " + act;
    }
    if (sd.equals("sd1")) {
      return new String[] {"sd1", how};
    }
    String prediction = prediction();
    if (prediction.equals("v_prediction")) {
      return new String[] {"sd2-v", how + ", scheduler prediction_type v_prediction"};
    }
    return new String[] {"sd2", how + ", scheduler prediction_type " + prediction};
  }

  private String prediction() {
    Path scheduler = dir.resolve("scheduler/scheduler_config.json");
    return Files.isRegularFile(scheduler)
        ? readJson(scheduler).path("prediction_type").asText("epsilon")
        : "epsilon";
  }

  /** The folder's tokenizer and scheduler config, which the model folder keeps. */
  private Map<String, Path> copied(String familyArg, ModelFamily chosen) {
    Map<String, Path> out = new LinkedHashMap<>();
    Path tok = dir.resolve("tokenizer");
    if (Files.isRegularFile(tok.resolve("vocab.json"))
        && Files.isRegularFile(tok.resolve("merges.txt"))) {
      for (String f : TOKENIZER) {
        if (Files.isRegularFile(tok.resolve(f))) {
          out.put("tokenizer/" + f, tok.resolve(f));
        }
      }
    }
    Path scheduler = dir.resolve("scheduler/scheduler_config.json");
    boolean agrees =
        familyArg == null
            || chosen == ModelFamily.SD1
            || (chosen == ModelFamily.SD2_V) == prediction().equals("v_prediction");
    if (Files.isRegularFile(scheduler) && agrees) {
      out.put("scheduler/scheduler_config.json", scheduler);
    }
    return out;
  }

  private void check(CheckpointTemplate t) {
    List<String> missing = new ArrayList<>();
    List<String> misshapen = new ArrayList<>();
    int total = 0;
    for (CheckpointTemplate.Stage s : t.stages()) {
      for (CheckpointTemplate.Weight w : s.tensors()) {
        total++;
        SafeTensors.TensorInfo info = info(w);
        String name = component(w) + "/" + param(w);
        if (info == null) {
          missing.add(name);
        } else if (info.elements() != elements(w.shape())) {
          misshapen.add(
              name
                  + " (expected "
                  + Arrays.toString(w.shape())
                  + " or the same number of values, found "
                  + info.shapeText()
                  + ")");
        } else if (!info.dtype().isFloat()) {
          misshapen.add(name + " (expected a float tensor, found " + info.dtype() + ")");
        }
      }
    }
    if (!misshapen.isEmpty()) {
      String hint =
          misshapen.get(0).startsWith("unet/conv_in.weight") && misshapen.get(0).contains(", 9, 3")
              ? "; an inpainting model (9 UNet input channels) is not supported"
              : "";
      throw new BadRequestException(
          dir
              + ": expected the shapes of an "
              + (t.family().equals("sd1") ? "SD 1.x" : "SD 2.x")
              + " model ("
              + t.description()
              + "), found "
              + misshapen.size()
              + " that differ: "
              + first(misshapen, 3)
              + hint);
    }
    if (!missing.isEmpty()) {
      throw new BadRequestException(
          dir
              + ": expected every weight of an "
              + (t.family().equals("sd1") ? "SD 1.x" : "SD 2.x")
              + " model ("
              + t.description()
              + "), found "
              + missing.size()
              + " of "
              + total
              + " missing: "
              + first(missing, 8));
    }
  }

  /** The component folder a template weight is read from. */
  private static String component(CheckpointTemplate.Weight w) {
    String stage = w.param().substring(0, w.param().indexOf('/'));
    return stage.startsWith("vae_") ? "vae" : stage;
  }

  private static String param(CheckpointTemplate.Weight w) {
    return w.param().substring(w.param().indexOf('/') + 1);
  }

  /** The key of a template weight in its component's files (the old VAE names as a fallback). */
  private String keyOf(CheckpointTemplate.Weight w) {
    Map<String, SafeTensors> keys = byKey.get(component(w));
    String name = param(w);
    if (keys.containsKey(name) || !component(w).equals("vae")) {
      return name;
    }
    for (Map.Entry<String, String> e : OLD_VAE_ATTENTION.entrySet()) {
      String part = ".attentions.0." + e.getKey() + ".";
      if (name.contains(part)) {
        return name.replace(part, ".attentions.0." + e.getValue() + ".");
      }
    }
    return name;
  }

  private SafeTensors.TensorInfo info(CheckpointTemplate.Weight w) {
    String key = keyOf(w);
    SafeTensors file = byKey.get(component(w)).get(key);
    return file == null ? null : file.info(key);
  }

  private static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  private static String first(List<String> items, int shown) {
    int n = Math.min(shown, items.size());
    return String.join(", ", items.subList(0, n))
        + (items.size() > n ? " and " + (items.size() - n) + " more" : "");
  }

  private static JsonNode readJson(Path file) {
    try {
      JsonNode n = JSON.readTree(file.toFile());
      if (n == null || !n.isObject()) {
        throw new BadRequestException(file + ": expected a JSON object, found " + n);
      }
      return n;
    } catch (IOException e) {
      throw new BadRequestException(
          file + ": expected JSON, found " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  @Override
  public void close() {
    for (SafeTensors st : opened) {
      st.close();
    }
    opened.clear();
  }

  /**
   * The conversion of a diffusers folder.
   *
   * @param folder the open folder
   * @param template the architecture it converts to
   * @param family sd1, sd2 or sd2-v
   * @param familySource how the family was told
   * @param used tensors read
   * @param ignored tensors left out by rule (CLIP's position_ids)
   * @param unused other tensors, as {@code component/key}
   * @param copied the folder's tokenizer and scheduler files that the model folder keeps
   */
  public record Plan(
      DiffusersFolder folder,
      CheckpointTemplate template,
      ModelFamily family,
      String familySource,
      int used,
      int ignored,
      List<String> unused,
      Map<String, Path> copied)
      implements ConversionPlan {
    @Override
    public Source locate(CheckpointTemplate.Weight w) {
      String key = folder.keyOf(w);
      return new Source(folder.byKey.get(component(w)).get(key), key, null);
    }
  }
}

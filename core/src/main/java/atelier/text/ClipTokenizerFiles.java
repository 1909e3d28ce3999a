package atelier.text;

import atelier.ModelLoadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a tokenizer folder in the Hugging Face layout: {@code vocab.json}, {@code merges.txt} and,
 * when present, {@code tokenizer_config.json} and {@code special_tokens_map.json}.
 */
final class ClipTokenizerFiles {
  static final String DEFAULT_BOS = "<|startoftext|>";
  static final String DEFAULT_EOS = "<|endoftext|>";
  static final int DEFAULT_MAX_LENGTH = 77;

  /**
   * transformers writes {@code model_max_length} as 1e30 when no limit was configured; any value
   * this large means "not set".
   */
  private static final long UNSET_MAX_LENGTH_ABOVE = 1_000_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the folder holds; ranks map {@code "a b"} (the two symbols of a merge) to its rank. */
  record Contents(
      Map<String, Integer> vocab,
      Map<String, Integer> ranks,
      String bos,
      String eos,
      String pad,
      String unk,
      int maxLength) {}

  private ClipTokenizerFiles() {}

  static Contents read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ModelLoadException(
          "tokenizer folder " + dir + " does not exist; expected vocab.json and merges.txt there");
    }
    for (String name : List.of("vocab.json", "merges.txt")) {
      if (!Files.isRegularFile(dir.resolve(name))) {
        throw new ModelLoadException(
            "tokenizer folder " + dir + " has no " + name + "; expected vocab.json and merges.txt");
      }
    }
    Map<String, Integer> vocab = readVocab(dir.resolve("vocab.json"));
    Map<String, Integer> ranks = readMerges(dir.resolve("merges.txt"));

    // transformers takes tokenizer_config.json first, then lets special_tokens_map.json override.
    Map<String, String> special = new HashMap<>();
    special.put("bos_token", DEFAULT_BOS);
    special.put("eos_token", DEFAULT_EOS);
    special.put("pad_token", DEFAULT_EOS);
    special.put("unk_token", DEFAULT_EOS);
    int maxLength = DEFAULT_MAX_LENGTH;
    Path config = dir.resolve("tokenizer_config.json");
    if (Files.exists(config)) {
      JsonNode root = readJson(config);
      readSpecialTokens(config, root, special);
      maxLength = readMaxLength(config, root);
    }
    Path map = dir.resolve("special_tokens_map.json");
    if (Files.exists(map)) {
      readSpecialTokens(map, readJson(map), special);
    }
    for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
      String token = special.get(key);
      if (!vocab.containsKey(token)) {
        throw new ModelLoadException(
            "tokenizer folder "
                + dir
                + ": "
                + key
                + " \""
                + token
                + "\" is not in vocab.json; expected a token of the vocabulary");
      }
    }
    return new Contents(
        Map.copyOf(vocab),
        Map.copyOf(ranks),
        special.get("bos_token"),
        special.get("eos_token"),
        special.get("pad_token"),
        special.get("unk_token"),
        maxLength);
  }

  private static Map<String, Integer> readVocab(Path file) {
    JsonNode root = readJson(file);
    if (!root.isObject() || root.isEmpty()) {
      throw new ModelLoadException(
          file + ": expected a JSON object mapping tokens to ids, found " + root.getNodeType());
    }
    Map<String, Integer> vocab = new HashMap<>(root.size() * 2);
    Iterator<Map.Entry<String, JsonNode>> it = root.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode id = e.getValue();
      if (!id.isInt() || id.intValue() < 0 || id.intValue() >= 10_000_000) {
        throw new ModelLoadException(
            file + ": token \"" + e.getKey() + "\" has id " + id + "; expected an integer id >= 0");
      }
      vocab.put(e.getKey(), id.intValue());
    }
    return vocab;
  }

  private static Map<String, Integer> readMerges(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ModelLoadException(
          "cannot read " + file + " (expected the BPE merges, one pair a line): " + e, e);
    }
    Map<String, Integer> ranks = new HashMap<>(lines.size() * 2);
    int rank = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || (i == 0 && line.startsWith("#"))) {
        continue; // the "#version: 0.2" header
      }
      String[] pair = line.split(" ");
      if (pair.length != 2 || pair[0].isEmpty() || pair[1].isEmpty()) {
        throw new ModelLoadException(
            file
                + " line "
                + (i + 1)
                + ": expected two symbols separated by a space, found \""
                + line
                + "\"");
      }
      // A repeated pair takes its later rank, as a Python dict built from the list would.
      ranks.put(pair[0] + " " + pair[1], rank++);
    }
    return ranks;
  }

  private static void readSpecialTokens(Path file, JsonNode root, Map<String, String> special) {
    for (String key : List.copyOf(special.keySet())) {
      JsonNode node = root.get(key);
      if (node == null || node.isNull()) {
        continue;
      }
      JsonNode content = node.isObject() ? node.get("content") : node;
      if (content == null || !content.isTextual() || content.textValue().isEmpty()) {
        throw new ModelLoadException(
            file
                + ": "
                + key
                + " is "
                + node
                + "; expected a token string or an object with a \"content\" string");
      }
      special.put(key, content.textValue());
    }
  }

  private static int readMaxLength(Path file, JsonNode root) {
    JsonNode node = root.get("model_max_length");
    if (node == null || node.isNull()) {
      return DEFAULT_MAX_LENGTH;
    }
    if (!node.isNumber() || (node.isFloatingPointNumber() && node.doubleValue() % 1 != 0)) {
      throw new ModelLoadException(
          file + ": model_max_length is " + node + "; expected a whole number of tokens");
    }
    double value = node.doubleValue();
    if (value > UNSET_MAX_LENGTH_ABOVE) {
      return DEFAULT_MAX_LENGTH;
    }
    if (value < 3) {
      throw new ModelLoadException(
          file + ": model_max_length is " + node + "; expected at least 3 (BOS, a token, EOS)");
    }
    return (int) value;
  }

  private static JsonNode readJson(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().get();
      throw new ModelLoadException("cannot read " + file + " as JSON: " + why, e);
    }
    if (root == null || root.isMissingNode()) {
      throw new ModelLoadException(file + " is empty; expected a JSON object");
    }
    return root;
  }
}

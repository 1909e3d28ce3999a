package atelier.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes small hand-made tokenizer folders for tests that need no shared data. Every base character
 * is a token with and without {@code </w>}, so each single-letter word is exactly one token; each
 * listed word gets left-to-right merges that rebuild it into one token.
 */
final class TinyVocab {
  /** In code-point order, so that {@code "!"} gets id 0 as in CLIP. */
  static final String BASE = "!'(),-.0123456789:?[\\]abcdefghijklmnopqrstuvwxyz|";

  static final List<String> WORDS =
      List.of("cat", "dog", "castle", "fog", "people", "photo", "sky", "red", "and", "moon");

  private TinyVocab() {}

  /** A folder with the default words and no config files (SD 1.x defaults). */
  static Path write(Path dir) {
    return write(dir, WORDS, null, null);
  }

  /** A folder with an SD 2.x {@code special_tokens_map.json}: pad {@code "!"}. */
  static Path writeSd2(Path dir) {
    Map<String, Object> special = new LinkedHashMap<>();
    special.put("bos_token", Map.of("content", "<|startoftext|>", "lstrip", false));
    special.put("eos_token", Map.of("content", "<|endoftext|>", "lstrip", false));
    special.put("pad_token", "!");
    special.put("unk_token", Map.of("content", "<|endoftext|>"));
    return write(dir, WORDS, special, Map.of("model_max_length", 77));
  }

  static Path write(
      Path dir, List<String> words, Map<String, Object> specialMap, Map<String, Object> config) {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (char c : BASE.toCharArray()) {
      vocab.putIfAbsent(String.valueOf(c), vocab.size());
    }
    for (char c : BASE.toCharArray()) {
      vocab.putIfAbsent(c + "</w>", vocab.size());
    }
    Set<String> merges = new LinkedHashSet<>();
    for (String w : words) {
      String left = String.valueOf(w.charAt(0));
      for (int i = 1; i < w.length(); i++) {
        String right = w.charAt(i) + (i == w.length() - 1 ? "</w>" : "");
        merges.add(left + " " + right);
        left = left + right;
        vocab.putIfAbsent(left, vocab.size());
      }
    }
    vocab.put("<|startoftext|>", vocab.size());
    vocab.put("<|endoftext|>", vocab.size());
    List<String> lines = new ArrayList<>();
    lines.add("#version: 0.2");
    lines.addAll(merges);
    try {
      Files.createDirectories(dir);
      ObjectMapper json = new ObjectMapper();
      json.writeValue(dir.resolve("vocab.json").toFile(), vocab);
      Files.write(dir.resolve("merges.txt"), lines, StandardCharsets.UTF_8);
      if (specialMap != null) {
        json.writeValue(dir.resolve("special_tokens_map.json").toFile(), specialMap);
      }
      if (config != null) {
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }
}

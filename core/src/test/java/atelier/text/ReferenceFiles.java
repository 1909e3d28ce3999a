package atelier.text;

import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The committed reference values under {@code core/src/test/resources/text/} and the real CLIP
 * vocabulary, for the conformance tests. The JSON files say which script wrote them.
 */
final class ReferenceFiles {
  private ReferenceFiles() {}

  static JsonNode json(String name) {
    try (InputStream in = ReferenceFiles.class.getResourceAsStream("/text/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource text/" + name);
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The real CLIP tokenizer with SD 1.x settings (pad = EOS); skips the test when absent. */
  static ClipTokenizer realSd1() {
    return ClipTokenizer.load(TestPaths.requireShared("clip-tokenizer"));
  }

  /** The real CLIP vocabulary with SD 2.x's pad token {@code "!"} (id 0); skips when absent. */
  static ClipTokenizer realSd2(Path tmp) {
    Path real = TestPaths.requireShared("clip-tokenizer");
    try {
      Path dir = Files.createDirectories(tmp.resolve("sd2-tokenizer"));
      Files.copy(real.resolve("vocab.json"), dir.resolve("vocab.json"));
      Files.copy(real.resolve("merges.txt"), dir.resolve("merges.txt"));
      Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": \"!\"}");
      return ClipTokenizer.load(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).intValue();
    }
    return out;
  }

  static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).doubleValue();
    }
    return out;
  }
}

package atelier.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The golden outputs of the plain-PyTorch reference pipeline ({@code tools/reference_pipeline.py},
 * diffusers' order of operations at commit 58eb52c over the same tiny models), read from {@code
 * core/src/test/resources/golden/manifest.json}.
 */
public final class Golden {
  private Golden() {}

  public static Path dir() {
    return TestPaths.repoRoot().resolve("core/src/test/resources/golden");
  }

  /** Every case of the manifest. */
  public static List<JsonNode> cases() {
    try {
      JsonNode root = new ObjectMapper().readTree(dir().resolve("manifest.json").toFile());
      List<JsonNode> out = new ArrayList<>();
      root.get("cases").forEach(out::add);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One case by id. */
  public static JsonNode byId(String id) {
    return cases().stream()
        .filter(c -> c.get("id").asText().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no golden case " + id));
  }

  /** A raw little-endian float32 file of the golden folder. */
  public static float[] floats(String file) {
    try {
      ByteBuffer b =
          ByteBuffer.wrap(Files.readAllBytes(dir().resolve(file))).order(ByteOrder.LITTLE_ENDIAN);
      float[] f = new float[b.remaining() / 4];
      b.asFloatBuffer().get(f);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Largest absolute value. */
  public static float maxAbs(float[] a) {
    float m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** Largest absolute difference. */
  public static float maxDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}

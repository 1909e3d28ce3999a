package atelier.upscale;

import atelier.testing.TestPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tiny upscaler models and reference outputs that {@code tools/upscale/make_test_models.py}
 * writes to {@code core/src/test/resources/upscale/} (see that script for what each one is).
 */
final class TestModels {
  private TestModels() {}

  static Path dir() {
    return TestPaths.repoRoot().resolve("core/src/test/resources/upscale");
  }

  static Path file(String name) {
    return dir().resolve(name);
  }

  /** A little-endian float32 file. */
  static float[] floats(String name) {
    try {
      byte[] b = Files.readAllBytes(file(name));
      float[] f = new float[b.length / 4];
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static float maxAbsDifference(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}

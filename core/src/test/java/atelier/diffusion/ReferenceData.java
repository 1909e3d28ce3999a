package atelier.diffusion;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Loads the JSON reference files under test resources diffusion/ (see tools/diffusion/); Python's
 * json writes -Infinity for float('-inf').
 */
final class ReferenceData {
  private ReferenceData() {}

  static JsonNode load(String name) {
    String path = "/diffusion/" + name;
    try (InputStream in = ReferenceData.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + path + " is missing");
      }
      return JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build()
          .readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read test resource " + path, e);
    }
  }
}

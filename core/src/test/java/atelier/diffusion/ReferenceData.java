package atelier.diffusion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads the JSON reference files under test resources diffusion/ (see tools/diffusion/). */
final class ReferenceData {
  private ReferenceData() {}

  static JsonNode load(String name) {
    String path = "/diffusion/" + name;
    try (InputStream in = ReferenceData.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + path + " is missing");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read test resource " + path, e);
    }
  }
}

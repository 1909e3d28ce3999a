package atelier.diffusion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.HashMap;
import java.util.Map;

/**
 * The model configs named in the scheduler reference files (their "configs" header), as {@link
 * SchedulerConfig}s parsed from the same JSON the Python script fed to diffusers.
 */
final class ReferenceConfigs {
  /** Writes -Infinity as Python's json does (bare), not as a quoted string. */
  private static final JsonMapper WRITER =
      JsonMapper.builder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();

  private ReferenceConfigs() {}

  static Map<String, SchedulerConfig> from(JsonNode header) {
    Map<String, SchedulerConfig> out = new HashMap<>();
    header
        .get("configs")
        .properties()
        .forEach(e -> out.put(e.getKey(), config(e.getValue(), e.getKey())));
    return out;
  }

  static SchedulerConfig config(JsonNode json, String name) {
    try {
      return SchedulerConfig.parse(WRITER.writeValueAsString(json), name);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write reference config " + name, e);
    }
  }
}

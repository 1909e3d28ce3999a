package atelier.diffusion;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * The model configs named in the scheduler reference files (their "configs" header), as {@link
 * SchedulerConfig}s parsed from the same JSON the Python script fed to diffusers.
 */
final class ReferenceConfigs {
  private ReferenceConfigs() {}

  static Map<String, SchedulerConfig> from(JsonNode header) {
    Map<String, SchedulerConfig> out = new HashMap<>();
    header
        .get("configs")
        .fields()
        .forEachRemaining(e -> out.put(e.getKey(), config(e.getValue(), e.getKey())));
    return out;
  }

  static SchedulerConfig config(JsonNode json, String name) {
    return SchedulerConfig.parse(json.toString(), name);
  }
}

package atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code --set} pairs split into recipe parameters and paths into the recipe. */
class CraftSourcesTest {
  @Test
  void aWholeSectionIsAPathAndOtherPlainKeysAreParameters() {
    Map<String, String> sets =
        CraftSources.pairs(
            List.of("upscale=null", "generate.steps=2", "subject=fox", "select=null"), "--set");
    assertThat(CraftSources.paths(sets))
        .isEqualTo(
            new LinkedHashMap<>(
                Map.of("upscale", "null", "generate.steps", "2", "select", "null")));
    assertThat(CraftSources.params(sets)).containsOnlyKeys("subject");
  }
}

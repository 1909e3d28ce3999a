package atelier.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.image.basemap.OpKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The published JSON schema and the reader agree on keys, required fields and enumerations. */
class RecipeSchemaTest {
  private static JsonNode schema() throws Exception {
    try (InputStream in =
        RecipeSchemaTest.class.getResourceAsStream("/atelier/recipe/recipe.schema.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  private static List<String> keys(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static List<String> texts(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.forEach(v -> out.add(v.asText()));
    return out;
  }

  @Test
  void schemaMatchesTheReader() throws Exception {
    JsonNode s = schema();
    JsonNode p = s.get("properties");
    assertThat(keys(p)).containsExactlyElementsOf(RecipeReader.TOP_KEYS);
    assertThat(texts(s.get("required"))).containsExactly("format", "name", "version", "prompt");
    assertThat(p.get("format").get("const").asText()).isEqualTo(Recipe.FORMAT);
    assertThat(keys(p.get("generate").get("properties")))
        .containsExactlyElementsOf(RecipeReader.GENERATE_KEYS);
    assertThat(keys(p.get("upscale").get("properties")))
        .containsExactlyElementsOf(RecipeReader.UPSCALE_KEYS);
    assertThat(keys(p.get("select").get("properties")))
        .containsExactlyElementsOf(RecipeReader.SELECT_KEYS);
    assertThat(keys(p.get("series").get("properties")))
        .containsExactlyElementsOf(RecipeReader.SERIES_KEYS);
    assertThat(keys(p.get("extend").get("properties")))
        .containsExactlyElementsOf(RecipeReader.EXTEND_KEYS);
    assertThat(keys(p.get("prompt").get("properties")))
        .containsExactlyElementsOf(RecipeReader.PROMPT_KEYS);
    assertThat(
            keys(p.get("params").get("additionalProperties").get("oneOf").get(1).get("properties")))
        .containsExactlyElementsOf(RecipeReader.PARAM_KEYS);
    assertThat(texts(p.get("input").get("enum")))
        .containsExactlyElementsOf(
            Arrays.stream(Recipe.Input.values())
                .map(i -> i.name().toLowerCase(Locale.ROOT))
                .toList());
    assertThat(
            texts(
                p.get("basemap")
                    .get("items")
                    .get("oneOf")
                    .get(1)
                    .get("properties")
                    .get("op")
                    .get("enum")))
        .containsExactlyElementsOf(OpKind.names());
  }
}

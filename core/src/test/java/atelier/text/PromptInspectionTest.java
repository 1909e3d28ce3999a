package atelier.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptInspectionTest {
  @TempDir Path tmp;

  @Test
  void showsTokensUpToTheEosWithWeightsPaddingAndTruncation() {
    PromptCompiler compiler = new PromptCompiler(ClipTokenizer.load(TinyVocab.write(tmp)));
    CompiledPrompt compiled = compiler.compile("a (cat:1.5) BREAK dog | sky:3", 1);
    PromptInspection in = PromptInspection.of(compiled);

    assertThat(in.composition()).isEqualTo(Composition.DISCO);
    assertThat(in.parts()).hasSize(2);
    PromptInspection.Part first = in.parts().get(0);
    assertThat(first.weight()).isEqualTo(0.25);
    assertThat(first.truncated()).isEqualTo("dog");
    PromptInspection.Chunk chunk = first.chunks().get(0);
    assertThat(chunk.tokenCount()).isEqualTo(2);
    assertThat(chunk.padding()).isEqualTo(73);
    assertThat(chunk.tokens())
        .extracting(PromptInspection.Token::token, PromptInspection.Token::weight)
        .containsExactly(
            tuple("<|startoftext|>", 1f),
            tuple("a</w>", 1f),
            tuple("cat</w>", 1.5f),
            tuple("<|endoftext|>", 1f));
    assertThat(in.truncated()).containsExactly("dog");

    String text = in.describe();
    assertThat(text)
        .contains("composition: disco, 2 parts")
        .contains("part 1: weight 0.25 \"a (cat:1.5) BREAK dog\"")
        .contains("chunk 1: 2 tokens + BOS/EOS, 73 padding")
        .contains("cat</w>")
        .contains("1.5")
        .contains("truncated: dog")
        .contains("part 2: weight 0.75 \"sky\"");
  }

  @Test
  void compiledPromptsAndInspectionsSerialiseToJson() throws Exception {
    PromptCompiler compiler = new PromptCompiler(ClipTokenizer.load(TinyVocab.write(tmp)));
    CompiledPrompt compiled = compiler.compile("red AND (dog:0.5)", 1);
    ObjectMapper json = new ObjectMapper();

    JsonNode c = json.readTree(json.writeValueAsString(compiled));
    assertThat(c.get("composition").textValue()).isEqualTo("AND");
    JsonNode chunk = c.get("parts").get(1).get("chunks").get(0);
    assertThat(chunk.get("ids")).hasSize(77);
    assertThat(chunk.get("weights").get(1).doubleValue()).isEqualTo(0.5);
    assertThat(chunk.get("tokenCount").intValue()).isEqualTo(1);

    JsonNode i = json.readTree(json.writeValueAsString(PromptInspection.of(compiled)));
    assertThat(
            i.get("parts")
                .get(0)
                .get("chunks")
                .get(0)
                .get("tokens")
                .get(1)
                .get("token")
                .textValue())
        .isEqualTo("red</w>");
    assertThat(i.get("truncated")).isEmpty();
  }
}

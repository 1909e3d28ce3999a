package atelier.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunks, ids and weights against A1111's own {@code tokenize_line} + {@code process_tokens} (which
 * puts SD 2.x's pad id after the first EOS), run by {@code tools/text/a1111_reference.py} with the
 * real CLIP vocabulary, for SD 1.x (pad = EOS) and SD 2.x (pad = 0). Output: {@code
 * text/a1111_chunks.json}. Skips when the shared vocabulary is absent.
 */
class PromptChunkConformanceTest {
  @TempDir static Path tmp;

  @TestFactory
  List<DynamicTest> chunksMatchA1111() {
    PromptCompiler sd1 = new PromptCompiler(ReferenceFiles.realSd1());
    PromptCompiler sd2 = new PromptCompiler(ReferenceFiles.realSd2(tmp));
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : ReferenceFiles.json("a1111_chunks.json").get("cases")) {
      String prompt = c.get("prompt").textValue();
      PromptCompiler compiler = c.get("pad").textValue().equals("zero") ? sd2 : sd1;
      String name =
          c.get("pad").textValue()
              + " ["
              + prompt.substring(0, Math.min(50, prompt.length()))
              + "]";
      tests.add(
          DynamicTest.dynamicTest(
              name,
              () -> {
                // The negative-prompt path: the text reaches the chunker as A1111 gives it.
                CompiledPrompt compiled = compiler.compileNegative(prompt, Integer.MAX_VALUE);
                List<PromptChunk> chunks = compiled.parts().get(0).chunks();
                JsonNode expected = c.get("chunks");
                assertThat(chunks).hasSize(expected.size());
                for (int i = 0; i < chunks.size(); i++) {
                  JsonNode e = expected.get(i);
                  assertThat(chunks.get(i).ids())
                      .as("ids of chunk %d", i)
                      .containsExactly(ReferenceFiles.ints(e.get("ids")));
                  assertThat(chunks.get(i).weights())
                      .as("weights of chunk %d", i)
                      .containsExactly(ReferenceFiles.floats(e.get("weights")));
                }
                assertThat(compiled.truncated()).isEmpty();
              }));
    }
    assertThat(tests).hasSizeGreaterThan(40);
    return tests;
  }
}

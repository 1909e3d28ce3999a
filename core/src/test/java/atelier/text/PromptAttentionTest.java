package atelier.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.text.PromptAttention.Segment;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link PromptAttention} against A1111's own {@code parse_prompt_attention}, run on the prompts of
 * {@code tools/text/a1111_reference.py} (output: {@code text/a1111_attention.json}). Weights are
 * compared exactly: both sides multiply the same doubles in the same order.
 */
class PromptAttentionTest {
  @TestFactory
  List<DynamicTest> segmentsMatchA1111() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : ReferenceFiles.json("a1111_attention.json").get("cases")) {
      String prompt = c.get("prompt").textValue();
      tests.add(
          DynamicTest.dynamicTest(
              "[" + prompt.replace("\n", "\\n") + "]",
              () -> {
                if (c.has("error")) {
                  assertThatThrownBy(() -> PromptAttention.parse(prompt))
                      .isInstanceOf(BadRequestException.class)
                      .hasMessageContaining("is not a number")
                      .hasMessageContaining(prompt);
                  return;
                }
                List<Segment> expected = new ArrayList<>();
                for (JsonNode s : c.get("segments")) {
                  expected.add(new Segment(s.get(0).textValue(), s.get(1).doubleValue()));
                }
                assertThat(PromptAttention.parse(prompt)).containsExactlyElementsOf(expected);
              }));
    }
    assertThat(tests).hasSizeGreaterThan(45);
    return tests;
  }

  @Test
  void breakIsOnlyAnUnweightedUpperCaseWord() {
    assertThat(PromptAttention.parse("a BREAK b"))
        .extracting(Segment::isBreak)
        .containsExactly(false, true, false);
    // Inside brackets the marker's weight is multiplied too, so A1111 no longer sees a break.
    assertThat(PromptAttention.parse("(a BREAK b)")).noneMatch(Segment::isBreak);
    assertThat(PromptAttention.parse("a break b")).noneMatch(Segment::isBreak);
  }

  @Test
  void absurdNestingIsABadRequestNotAnInfiniteWeight() {
    String deep = "(".repeat(8000) + "x";
    assertThatThrownBy(() -> PromptAttention.parse(deep))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("overflows");
  }
}

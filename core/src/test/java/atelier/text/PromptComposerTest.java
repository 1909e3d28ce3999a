package atelier.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import atelier.BadRequestException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptComposerTest {
  /**
   * Sub-prompts and weights against A1111's {@code get_multicond_prompt_list} (AND split and
   * trailing-weight pattern), run by {@code tools/text/a1111_reference.py} ({@code
   * text/a1111_and.json}). A1111 applies the weight pattern to prompts without AND too.
   */
  @Test
  void andSplitMatchesA1111() {
    JsonNode cases = ReferenceFiles.json("a1111_and.json").get("cases");
    assertThat(cases.size()).isGreaterThan(10);
    for (JsonNode c : cases) {
      String prompt = c.get("prompt").textValue();
      PromptComposer.Split split = PromptComposer.split(prompt);
      List<PromptComposer.Part> expected = new ArrayList<>();
      for (JsonNode p : c.get("parts")) {
        expected.add(new PromptComposer.Part(p.get(0).textValue(), p.get(1).doubleValue()));
      }
      assertThat(split.parts()).as(prompt).containsExactlyElementsOf(expected);
      assertThat(split.composition())
          .as(prompt)
          .isEqualTo(expected.size() > 1 ? Composition.AND : Composition.SINGLE);
    }
  }

  /**
   * Disco Diffusion (alembics/disco-diffusion disco.py, parse_prompt and the weights of do_run):
   * text:weight with weight 1 by default, weights divided by |sum|, and an error when |sum| < 1e-3.
   * Expected values worked by hand: 2 + 1 - 1 = 2, so 1, 0.5, -0.5.
   */
  @Test
  void discoListsNormaliseByTheAbsoluteSum() {
    PromptComposer.Split s = PromptComposer.split("a castle:2 | fog:1 | people:-1");
    assertThat(s.composition()).isEqualTo(Composition.DISCO);
    assertThat(s.parts())
        .extracting(PromptComposer.Part::text, PromptComposer.Part::weight)
        .containsExactly(tuple("a castle", 1.0), tuple(" fog", 0.5), tuple(" people", -0.5));

    // Defaults of 1: 1 + 1 + 2 = 4.
    assertThat(PromptComposer.split("sky | sea | sun:2").parts())
        .extracting(PromptComposer.Part::weight)
        .containsExactly(0.25, 0.25, 0.5);
    // A negative sum keeps the signs: -1 - 3 = -4, |sum| = 4.
    assertThat(PromptComposer.split("a:-1|b:-3").parts())
        .extracting(PromptComposer.Part::weight)
        .containsExactly(-0.25, -0.75);
  }

  @Test
  void colonsThatAreNotATrailingNumberStayText() {
    assertThat(PromptComposer.split("ratio 16:9 poster, style: art deco | (gold:1.3)").parts())
        .extracting(PromptComposer.Part::text, PromptComposer.Part::weight)
        .containsExactly(
            tuple("ratio 16:9 poster, style: art deco", 0.5), tuple(" (gold:1.3)", 0.5));
  }

  @Test
  void barsInsideBracketsOrEscapedDoNotSplit() {
    assertThat(PromptComposer.split("a [cat|dog] {red|blue} (x|y) car").composition())
        .isEqualTo(Composition.SINGLE);
    assertThat(PromptComposer.split("a \\| b").composition()).isEqualTo(Composition.SINGLE);
    assertThat(PromptComposer.splitOnTopLevelPipes("a | [b|c] | d"))
        .containsExactly("a ", " [b|c] ", " d");
    // An unclosed bracket keeps the rest as text, like the A1111 parser does with its weight.
    assertThat(PromptComposer.splitOnTopLevelPipes("(a | b")).containsExactly("(a | b");
  }

  @Test
  void zeroSumMixedSyntaxAndBadNumbersAreBadRequests() {
    assertThatThrownBy(() -> PromptComposer.split("castle:1 | fog:-1"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("\"castle:1 | fog:-1\"")
        .hasMessageContaining("sum to 0.0");
    assertThatThrownBy(() -> PromptComposer.split("a:0.0005 | b:0"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("sum to 5.0E-4");
    assertThatThrownBy(() -> PromptComposer.split("a | b AND c"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("mixes a Disco list ('|') with A1111 AND");
  }
}

package atelier.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiler on a hand-made vocabulary where every single letter and each {@link TinyVocab#WORDS}
 * word is one token, so token counts can be worked out by hand.
 */
class PromptCompilerTest {
  @TempDir Path tmp;
  private ClipTokenizer tok;
  private PromptCompiler compiler;

  @BeforeEach
  void setUp() {
    tok = ClipTokenizer.load(TinyVocab.write(tmp.resolve("sd1")));
    compiler = new PromptCompiler(tok);
  }

  private int id(String token) {
    return tok.id(token).orElseThrow();
  }

  private static String repeat(String word, int n) {
    return String.join(" ", java.util.Collections.nCopies(n, word));
  }

  @Test
  void shortPromptIsOneChunkOfBosTokensEosAndPadding() {
    CompiledPrompt p = compiler.compile("a castle in fog", 1);
    assertThat(p.composition()).isEqualTo(Composition.SINGLE);
    assertThat(p.parts()).singleElement().extracting(SubPrompt::weight).isEqualTo(1.0);
    PromptChunk c = p.parts().get(0).chunks().get(0);
    assertThat(c.length()).isEqualTo(77);
    assertThat(c.tokenCount()).isEqualTo(5); // a, castle, i, n, fog
    assertThat(c.tokens().subList(0, 7))
        .containsExactly(
            "<|startoftext|>", "a</w>", "castle</w>", "i", "n</w>", "fog</w>", "<|endoftext|>");
    assertThat(Arrays.copyOfRange(c.ids(), 7, 77)).containsOnly(tok.padId());
    assertThat(c.weights()).containsOnly(1f);
    assertThat(c.hasEmphasis()).isFalse();
    assertThat(c.promptIds()).containsExactly(tok.encode("a castle in fog"));
    assertThat(p.truncated()).isEmpty();
  }

  @Test
  void emphasisWeightsEachTokenOfItsRun() {
    PromptChunk c =
        compiler.compile("a (red castle:1.5) [fog] ((sky))", 1).parts().get(0).chunks().get(0);
    assertThat(Arrays.copyOfRange(c.weights(), 0, 7))
        .containsExactly(1f, 1f, 1.5f, 1.5f, (float) (1 / 1.1), (float) (1.1 * 1.1), 1f);
    assertThat(c.hasEmphasis()).isTrue();
  }

  @Test
  void emptyPromptGivesOneEmptyChunk() {
    PromptChunk c = compiler.compile("", 3).parts().get(0).chunks().get(0);
    assertThat(c.tokenCount()).isZero();
    assertThat(c).isEqualTo(compiler.emptyChunk());
    assertThat(c.ids()[0]).isEqualTo(tok.bosId());
    assertThat(c.ids()[1]).isEqualTo(tok.eosId());
  }

  @Test
  void longPromptsSplitAt75AndBackTrackToACommaWithinTheLast20() {
    // 80 one-token words: 75 + 5.
    List<PromptChunk> plain = compiler.compile(repeat("a", 80), 10).parts().get(0).chunks();
    assertThat(plain).extracting(PromptChunk::tokenCount).containsExactly(75, 5);
    // Comma at index 60; the chunk is full at 75 and 75 - 60 <= 20, so the 14 b's after the
    // comma move on: 61 + (14 + 16).
    String commas = repeat("a", 60) + ", " + repeat("b", 30);
    List<PromptChunk> back = compiler.compile(commas, 10).parts().get(0).chunks();
    assertThat(back).extracting(PromptChunk::tokenCount).containsExactly(61, 30);
    assertThat(back.get(0).tokens().get(61)).isEqualTo(",</w>");
    // Comma at index 54: 75 - 54 = 21 > 20, no backtrack.
    String far = repeat("a", 54) + ", " + repeat("b", 30);
    assertThat(compiler.compile(far, 10).parts().get(0).chunks())
        .extracting(PromptChunk::tokenCount)
        .containsExactly(75, 10);
  }

  @Test
  void breakStartsANewChunkEvenAnEmptyOne() {
    assertThat(compiler.compile("a cat BREAK a dog", 5).parts().get(0).chunks())
        .extracting(PromptChunk::tokenCount)
        .containsExactly(2, 2);
    assertThat(compiler.compile("BREAK a dog", 5).parts().get(0).chunks())
        .extracting(PromptChunk::tokenCount)
        .containsExactly(0, 2);
    assertThat(compiler.compile("a cat BREAK", 5).parts().get(0).chunks()).hasSize(1);
  }

  @Test
  void aChunkLimitReportsWhatItDrops() {
    CompiledPrompt p = compiler.compile(repeat("a", 78) + " cat", 1);
    SubPrompt part = p.parts().get(0);
    assertThat(part.chunks()).hasSize(1);
    assertThat(part.truncated()).isEqualTo("a a a cat");
    assertThat(p.truncated()).containsExactly("a a a cat");

    assertThat(compiler.compile("a cat BREAK a dog", 1).truncated()).containsExactly("a dog");
  }

  @Test
  void aLimitOfOneFillsTheChunkLikeTheTokenizerWouldWithoutCommaBacktrack() {
    String commas = repeat("a", 60) + ", " + repeat("b", 30);
    CompiledPrompt one = compiler.compile(commas, 1);
    PromptChunk c = one.parts().get(0).chunks().get(0);
    assertThat(c.ids()).containsExactly(tok.encodePadded(commas));
    assertThat(one.truncated()).containsExactly(repeat("b", 16));
    // With room for two chunks the first one still backtracks to the comma.
    assertThat(compiler.compile(commas, 2).parts().get(0).chunks())
        .extracting(PromptChunk::tokenCount)
        .containsExactly(61, 30);
  }

  @Test
  void sd2ChunksPadWithIdZeroAfterTheEos() {
    ClipTokenizer sd2 = ClipTokenizer.load(TinyVocab.writeSd2(tmp.resolve("sd2")));
    PromptChunk c = new PromptCompiler(sd2).compile("a cat", 1).parts().get(0).chunks().get(0);
    assertThat(c.ids()[3]).isEqualTo(sd2.eosId());
    assertThat(Arrays.copyOfRange(c.ids(), 4, 77)).containsOnly(0);
    assertThat(c.tokens().get(4)).isEqualTo("!");
    assertThat(new PromptCompiler(sd2).emptyChunk().ids()).startsWith(sd2.bosId(), sd2.eosId(), 0);
  }

  @Test
  void discoAndAndPromptsCompileEachPart() {
    CompiledPrompt disco = compiler.compile("a castle:2 | fog:1 | people:-1", 1);
    assertThat(disco.composition()).isEqualTo(Composition.DISCO);
    assertThat(disco.parts())
        .extracting(SubPrompt::text, SubPrompt::weight)
        .containsExactly(tuple("a castle", 1.0), tuple("fog", 0.5), tuple("people", -0.5));
    assertThat(disco.parts().get(2).chunks().get(0).tokens().get(1)).isEqualTo("people</w>");

    CompiledPrompt and = compiler.compile("a (castle:1.2) :1.5 AND fog", 1);
    assertThat(and.composition()).isEqualTo(Composition.AND);
    assertThat(and.parts())
        .extracting(SubPrompt::text, SubPrompt::weight)
        .containsExactly(tuple("a (castle:1.2)", 1.5), tuple("fog", 1.0));
    assertThat(and.parts().get(0).chunks().get(0).weights()[2]).isEqualTo(1.2f);
  }

  @Test
  void negativePromptsAreOnePlainPart() {
    CompiledPrompt neg = compiler.compileNegative("red AND dog | cat:2", 1);
    assertThat(neg.composition()).isEqualTo(Composition.SINGLE);
    assertThat(neg.parts())
        .singleElement()
        .extracting(SubPrompt::text, SubPrompt::weight)
        .containsExactly("red AND dog | cat:2", 1.0);
    assertThat(neg.parts().get(0).chunks().get(0).tokens().subList(1, 9))
        .containsExactly(
            "red</w>", "and</w>", "dog</w>", "|</w>", "cat</w>", ":</w>", "2</w>", "<|endoftext|>");
  }

  @Test
  void argumentsAreChecked() {
    assertThatThrownBy(() -> compiler.compile("a", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxChunks must be at least 1, found 0");
    assertThatThrownBy(() -> new PromptChunk(new int[3], new float[2], List.of("a", "b", "c"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 ids, 2 weights, 3 tokens");
  }

  @Test
  void compilingConcurrentlyGivesTheSameResult() {
    String prompt = "a (castle:1.3), fog, " + repeat("sky", 90);
    CompiledPrompt expected = compiler.compile(prompt, 4);
    assertThat(expected.maxChunks()).isEqualTo(2);
    IntStream.range(0, 32)
        .parallel()
        .forEach(i -> assertThat(compiler.compile(prompt, 4)).isEqualTo(expected));
  }
}

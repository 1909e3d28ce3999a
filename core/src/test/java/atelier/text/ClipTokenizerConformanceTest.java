package atelier.text;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The real CLIP vocabulary ({@code ../shared/data/clip-tokenizer}) against ids computed by {@code
 * tools/text/clip_tokenizer_reference.py}, an independent Python implementation of transformers'
 * CLIPTokenizer without ftfy (openai/CLIP simple_tokenizer.py BPE semantics, the BasicTokenizer
 * fallback cleaning). Its output is committed as {@code text/clip_tokenizer_cases.json}; rerun the
 * script to regenerate it. Skips when the shared vocabulary is absent.
 */
class ClipTokenizerConformanceTest {
  private static ClipTokenizer clip;
  private static JsonNode cases;

  @BeforeAll
  static void load() throws IOException {
    clip = ClipTokenizer.load(TestPaths.requireShared("clip-tokenizer"));
    try (InputStream in =
        ClipTokenizerConformanceTest.class.getResourceAsStream("/text/clip_tokenizer_cases.json")) {
      cases = new ObjectMapper().readTree(in);
    }
  }

  @Test
  void formatsExampleGivesTheDocumentedIds() {
    assertThat(clip.encodePadded("a photo of a cat"))
        .startsWith(49406, 320, 1125, 539, 320, 2368, 49407)
        .hasSize(77);
    assertThat(clip.encode("a photo of a cat")).containsExactly(320, 1125, 539, 320, 2368);
  }

  @Test
  void vocabularyFacts() {
    assertThat(clip.vocabSize()).isEqualTo(49408);
    assertThat(clip.bosId()).isEqualTo(49406);
    assertThat(clip.eosId()).isEqualTo(49407);
    assertThat(clip.padId()).isEqualTo(49407); // no config files: transformers' default pad
    assertThat(clip.maxLength()).isEqualTo(77);
    assertThat(clip.token(2368)).isEqualTo("cat</w>");
    assertThat(clip.id(",</w>")).hasValue(267);
  }

  @TestFactory
  List<DynamicTest> idsMatchTheReference() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases.get("cases")) {
      String text = c.get("text").textValue();
      int[] expected = ints(c.get("ids"));
      tests.add(
          DynamicTest.dynamicTest(
              "[" + printable(text) + "]",
              () -> assertThat(clip.encode(text)).containsExactly(expected)));
    }
    assertThat(tests).hasSizeGreaterThan(40);
    return tests;
  }

  @Test
  void paddedIdsMatchTheReference() {
    for (JsonNode c : cases.get("padded")) {
      String text = c.get("text").textValue();
      if (c.get("padId").intValue() != clip.padId()) {
        continue; // the pad-0 cases are checked by ClipTokenizerFilesTest with an SD2 folder
      }
      assertThat(clip.encodePadded(text)).as(printable(text)).containsExactly(ints(c.get("ids")));
    }
  }

  @Test
  void decodeGivesCleanedText() {
    assertThat(clip.decode(clip.encodePadded("A Photo of a CAT!").clone()))
        .isEqualTo("a photo of a cat !");
    assertThat(clip.decode(clip.encode("café 東京 🐱"))).isEqualTo("café 東 京 🐱");
    assertThat(clip.decode(new int[0])).isEmpty();
  }

  @Test
  void cacheGivesTheSameIdsFromManyThreads() {
    String text = "a breathtaking landscape, volumetric clouds, 8k, by albert bierstadt";
    int[] expected = clip.encode(text);
    IntStream.range(0, 64)
        .parallel()
        .forEach(i -> assertThat(clip.encode(text + " " + i)).startsWith(expected));
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).intValue();
    }
    return out;
  }

  private static String printable(String text) {
    StringBuilder sb = new StringBuilder();
    text.codePoints()
        .limit(60)
        .forEach(
            cp -> {
              if (cp < 0x20 || Character.getType(cp) == Character.FORMAT) {
                sb.append(String.format("\\u%04x", cp));
              } else {
                sb.appendCodePoint(cp);
              }
            });
    return sb.toString();
  }
}

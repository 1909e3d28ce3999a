package atelier.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.ModelLoadException;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a tokenizer folder: special tokens, lengths, and the errors for broken folders. */
class ClipTokenizerFilesTest {
  @TempDir Path tmp;

  @Test
  void sd2SpecialTokensMapGivesPadZeroFromAnObjectOrAString() {
    ClipTokenizer t = ClipTokenizer.load(TinyVocab.writeSd2(tmp));
    assertThat(t.padId()).isZero();
    assertThat(t.token(t.bosId())).isEqualTo("<|startoftext|>");
    assertThat(t.token(t.eosId())).isEqualTo("<|endoftext|>");
    assertThat(t.maxLength()).isEqualTo(77);
  }

  @Test
  void specialTokensMapOverridesTokenizerConfigAndMaxLengthIsRead() {
    Path dir =
        TinyVocab.write(
            tmp,
            List.of(),
            Map.of("pad_token", Map.of("content", "!")),
            Map.of("pad_token", "<|endoftext|>", "model_max_length", 10));
    ClipTokenizer t = ClipTokenizer.load(dir);
    assertThat(t.padId()).isEqualTo(t.id("!").getAsInt());
    assertThat(t.maxLength()).isEqualTo(10);
    assertThat(t.encodePadded("a b c d e f g h i j k l")).hasSize(10).endsWith(t.eosId());
  }

  @Test
  void transformersUnsetMaxLengthSentinelMeans77() {
    Path dir = TinyVocab.write(tmp, List.of(), null, Map.of("model_max_length", 1e30));
    assertThat(ClipTokenizer.load(dir).maxLength()).isEqualTo(77);
  }

  @Test
  void sd2PaddedIdsOnTheRealVocabularyMatchTheReference() throws IOException {
    Path real = TestPaths.requireShared("clip-tokenizer");
    Path dir = tmp.resolve("sd2");
    Files.createDirectories(dir);
    Files.copy(real.resolve("vocab.json"), dir.resolve("vocab.json"));
    Files.copy(real.resolve("merges.txt"), dir.resolve("merges.txt"));
    Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": \"!\"}");
    ClipTokenizer sd2 = ClipTokenizer.load(dir);
    assertThat(sd2.padId()).isZero();
    JsonNode cases;
    try (InputStream in = getClass().getResourceAsStream("/text/clip_tokenizer_cases.json")) {
      cases = new ObjectMapper().readTree(in);
    }
    int checked = 0;
    for (JsonNode c : cases.get("padded")) {
      if (c.get("padId").intValue() == 0) {
        assertThat(sd2.encodePadded(c.get("text").textValue()))
            .containsExactly(ClipTokenizerConformanceTest.ints(c.get("ids")));
        checked++;
      }
    }
    assertThat(checked).isEqualTo(4);
  }

  @Test
  void missingFolderOrFilesNameWhatIsMissing() throws IOException {
    assertThatThrownBy(() -> ClipTokenizer.load(tmp.resolve("nope")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("nope")
        .hasMessageContaining("does not exist");
    Path dir = TinyVocab.write(tmp.resolve("t"));
    Files.delete(dir.resolve("merges.txt"));
    assertThatThrownBy(() -> ClipTokenizer.load(dir))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("has no merges.txt");
  }

  @Test
  void brokenFilesAreRejectedWithFileAndExpectation() throws IOException {
    Path dir = TinyVocab.write(tmp);
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\nc d e\n");
    assertThatThrownBy(() -> ClipTokenizer.load(dir))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("merges.txt line 3")
        .hasMessageContaining("expected two symbols")
        .hasMessageContaining("\"c d e\"");

    TinyVocab.write(dir);
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": \"zero\"}");
    assertThatThrownBy(() -> ClipTokenizer.load(dir))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("vocab.json")
        .hasMessageContaining("expected an integer id");

    Files.writeString(dir.resolve("vocab.json"), "{not json");
    assertThatThrownBy(() -> ClipTokenizer.load(dir))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("cannot read")
        .hasMessageContaining("vocab.json as JSON");
  }

  @Test
  void specialTokenMissingFromTheVocabularyIsRejected() {
    Path dir = TinyVocab.write(tmp, List.of(), Map.of("pad_token", "<pad>"), null);
    assertThatThrownBy(() -> ClipTokenizer.load(dir))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("pad_token \"<pad>\" is not in vocab.json");
  }

  @Test
  void badSpecialTokenShapeOrLengthIsRejected() {
    Path a = TinyVocab.write(tmp.resolve("a"), List.of(), Map.of("bos_token", List.of(1)), null);
    assertThatThrownBy(() -> ClipTokenizer.load(a))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("special_tokens_map.json: bos_token is [1]")
        .hasMessageContaining("expected a token string or an object with a \"content\" string");
    Path b = TinyVocab.write(tmp.resolve("b"), List.of(), null, Map.of("model_max_length", 2));
    assertThatThrownBy(() -> ClipTokenizer.load(b))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model_max_length is 2; expected at least 3");
    Path c = TinyVocab.write(tmp.resolve("c"), List.of(), null, Map.of("model_max_length", "77"));
    assertThatThrownBy(() -> ClipTokenizer.load(c))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected a whole number of tokens");
  }
}

package atelier.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BPE and special-token behaviour on hand-made vocabularies (no shared data needed). */
class ClipTokenizerTest {
  @TempDir Path tmp;

  private static String[] tokens(ClipTokenizer t, int[] ids) {
    return Arrays.stream(ids).mapToObj(t::token).toArray(String[]::new);
  }

  @Test
  void listedWordsBecomeOneTokenAndOtherWordsSplitIntoCharacters() {
    ClipTokenizer t = ClipTokenizer.load(TinyVocab.write(tmp));
    for (String w : TinyVocab.WORDS) {
      assertThat(tokens(t, t.encode(w))).as(w).containsExactly(w + "</w>");
    }
    assertThat(tokens(t, t.encode("cab"))).containsExactly("ca", "b</w>");
    assertThat(tokens(t, t.encode("a Cat, 42!")))
        .containsExactly("a</w>", "cat</w>", ",</w>", "4</w>", "2</w>", "!</w>");
  }

  @Test
  void mergesApplyInRankOrderNotLeftToRight() {
    // "x y</w>" has the better rank, so "xxy" becomes x + xy</w>, not xx + y</w>.
    Path dir = TinyVocab.write(tmp, List.of(), null, null);
    writeMerges(dir, "x y</w>", "x x");
    ClipTokenizer t = ClipTokenizer.load(addTokens(dir, "xy</w>", "xx"));
    assertThat(tokens(t, t.encode("xxy"))).containsExactly("x", "xy</w>");
    assertThat(tokens(t, t.encode("xxxx"))).containsExactly("xx", "x", "x</w>");
  }

  @Test
  void contractionsSplitOffAndDigitsStandAlone() {
    ClipTokenizer t = ClipTokenizer.load(TinyVocab.write(tmp));
    assertThat(tokens(t, t.encode("cat's"))).containsExactly("cat</w>", "'", "s</w>");
    assertThat(t.encode("2024")).hasSize(4);
  }

  @Test
  void charactersMissingFromTheVocabularyBecomeTheUnknownToken() {
    ClipTokenizer t = ClipTokenizer.load(TinyVocab.write(tmp));
    int unk = t.eosId(); // transformers' default unk_token is <|endoftext|>
    assertThat(t.encode("é")).containsOnly(unk);
    assertThat(t.encode("<|startoftext|>cat<|endoftext|>"))
        .containsExactly(t.bosId(), t.id("cat</w>").getAsInt(), t.eosId());
  }

  @Test
  void encodePaddedTruncatesTo75AndPadsWithThePadId() {
    ClipTokenizer sd1 = ClipTokenizer.load(TinyVocab.write(tmp.resolve("sd1")));
    ClipTokenizer sd2 = ClipTokenizer.load(TinyVocab.writeSd2(tmp.resolve("sd2")));
    assertThat(sd2.padId()).isZero().isEqualTo(sd2.id("!").getAsInt());
    String many = "a ".repeat(100);
    for (ClipTokenizer t : List.of(sd1, sd2)) {
      int[] ids = t.encodePadded(many);
      assertThat(ids).hasSize(77);
      assertThat(ids[0]).isEqualTo(t.bosId());
      assertThat(Arrays.copyOfRange(ids, 1, 76)).containsOnly(t.id("a</w>").getAsInt());
      assertThat(ids[76]).isEqualTo(t.eosId());
      int[] cat = t.encodePadded("cat");
      assertThat(Arrays.copyOfRange(cat, 0, 3))
          .containsExactly(t.bosId(), t.id("cat</w>").getAsInt(), t.eosId());
      assertThat(Arrays.copyOfRange(cat, 3, 77)).containsOnly(t.padId());
    }
    assertThat(sd1.padId()).isEqualTo(sd1.eosId());
  }

  @Test
  void anExclamationMarkInTheTextStaysTextWhenItIsAlsoThePadToken() {
    ClipTokenizer sd2 = ClipTokenizer.load(TinyVocab.writeSd2(tmp));
    assertThat(tokens(sd2, sd2.encode("cat!"))).containsExactly("cat</w>", "!</w>");
  }

  @Test
  void decodeJoinsWordsAndSkipsSpecialTokens() {
    ClipTokenizer t = ClipTokenizer.load(TinyVocab.write(tmp));
    assertThat(t.decode(t.encodePadded("A castle, in FOG"))).isEqualTo("a castle , in fog");
    assertThatThrownBy(() -> t.decode(new int[] {-1}))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("token id -1")
        .hasMessageContaining("expected 0..");
    assertThatThrownBy(() -> t.token(1_000_000))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("1000000");
  }

  private static void writeMerges(Path dir, String... merges) {
    try {
      List<String> lines = new ArrayList<>(List.of("#version: 0.2"));
      lines.addAll(List.of(merges));
      Files.write(dir.resolve("merges.txt"), lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path addTokens(Path dir, String... extra) {
    try {
      ObjectMapper json = new ObjectMapper();
      Map<String, Integer> vocab =
          json.readValue(
              dir.resolve("vocab.json").toFile(),
              new TypeReference<LinkedHashMap<String, Integer>>() {});
      for (String e : extra) {
        vocab.putIfAbsent(e, vocab.size());
      }
      json.writeValue(dir.resolve("vocab.json").toFile(), vocab);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package atelier.text;

import atelier.BadRequestException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLIP byte-level BPE tokenizer of Stable Diffusion's text encoders, read from a model's own
 * {@code tokenizer/} folder.
 *
 * <p>Behaves like transformers' {@code CLIPTokenizer} without ftfy (see FORMATS.md "CLIP
 * tokenizer"): clean the text, split it with the CLIP pattern (letter runs, single digits,
 * contractions, runs of other symbols), map each piece's UTF-8 bytes to printable characters, apply
 * the BPE merges in rank order with {@code </w>} marking the end of the piece, look the symbols up
 * in {@code vocab.json}. One deliberate difference: a pad token that is also ordinary text (SD 2.x
 * pads with {@code "!"}) is only used for padding; transformers also turns every {@code "!"} typed
 * in a prompt into that pad id (diffusers issue 4153), which the open_clip tokenizer the models
 * were trained with does not do.
 *
 * <p>Immutable and thread-safe; BPE results are cached per word in a bounded concurrent map.
 */
public final class ClipTokenizer {
  private static final Pattern PIECES =
      Pattern.compile(
          "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d"
              + "|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
          Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

  private static final String END_OF_WORD = "</w>";
  private static final int CACHE_LIMIT = 50_000;

  private final Map<String, Integer> vocab;
  private final String[] tokens;
  private final Map<String, Integer> ranks;
  private final int bosId;
  private final int eosId;
  private final int padId;
  private final int unkId;
  private final int maxLength;
  private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

  private ClipTokenizer(ClipTokenizerFiles.Contents c) {
    this.vocab = c.vocab();
    int maxId = c.vocab().values().stream().mapToInt(Integer::intValue).max().orElse(0);
    this.tokens = new String[maxId + 1];
    c.vocab().forEach((token, id) -> tokens[id] = token);
    this.ranks = c.ranks();
    this.bosId = vocab.get(c.bos());
    this.eosId = vocab.get(c.eos());
    this.padId = vocab.get(c.pad());
    this.unkId = vocab.get(c.unk());
    this.maxLength = c.maxLength();
    // The special tokens are whole words: BPE must not split them or add </w>.
    cache.put(ClipTokenizerFiles.DEFAULT_BOS, idsOf(ClipTokenizerFiles.DEFAULT_BOS));
    cache.put(ClipTokenizerFiles.DEFAULT_EOS, idsOf(ClipTokenizerFiles.DEFAULT_EOS));
  }

  /**
   * Reads a tokenizer folder: {@code vocab.json} and {@code merges.txt} (required), {@code
   * tokenizer_config.json} and {@code special_tokens_map.json} (optional; the latter wins, as in
   * transformers) for the BOS/EOS/PAD/UNK tokens and {@code model_max_length} (default 77).
   *
   * @throws atelier.ModelLoadException if a file is missing or unreadable, or a special token is
   *     not in the vocabulary; the message names the file and what was expected
   */
  public static ClipTokenizer load(Path tokenizerDir) {
    return new ClipTokenizer(ClipTokenizerFiles.read(tokenizerDir));
  }

  /**
   * The token ids of {@code text}, without BOS/EOS and without any length limit. Characters the
   * vocabulary lacks (only possible with a reduced vocabulary) become the unknown-token id.
   */
  public int[] encode(String text) {
    Objects.requireNonNull(text, "text");
    String clean = ClipTextCleaner.clean(text);
    List<int[]> parts = new ArrayList<>();
    int n = 0;
    Matcher m = PIECES.matcher(clean);
    while (m.find()) {
      String piece = ByteUnicode.encode(m.group().getBytes(StandardCharsets.UTF_8));
      int[] ids = cache.get(piece);
      if (ids == null) {
        ids = bpe(piece);
        if (cache.size() < CACHE_LIMIT) {
          cache.putIfAbsent(piece, ids);
        }
      }
      parts.add(ids);
      n += ids.length;
    }
    int[] out = new int[n];
    int at = 0;
    for (int[] ids : parts) {
      System.arraycopy(ids, 0, out, at, ids.length);
      at += ids.length;
    }
    return out;
  }

  /**
   * Exactly {@link #maxLength()} ids: BOS, the first {@code maxLength - 2} ids of {@link #encode},
   * EOS, then the pad id; what transformers returns for {@code tokenizer(text,
   * padding="max_length", max_length=77, truncation=True)}.
   */
  public int[] encodePadded(String text) {
    int[] ids = encode(text);
    int kept = Math.min(ids.length, maxLength - 2);
    int[] out = new int[maxLength];
    out[0] = bosId;
    System.arraycopy(ids, 0, out, 1, kept);
    out[kept + 1] = eosId;
    Arrays.fill(out, kept + 2, maxLength, padId);
    return out;
  }

  /**
   * The vocabulary string of an id, e.g. {@code "cat</w>"} or {@code "<|startoftext|>"}.
   *
   * @throws BadRequestException if the id is not in the vocabulary
   */
  public String token(int id) {
    if (id < 0 || id >= tokens.length || tokens[id] == null) {
      throw new BadRequestException(
          "token id " + id + " is not in the vocabulary; expected 0.." + (tokens.length - 1));
    }
    return tokens[id];
  }

  /** The id of a vocabulary string such as {@code ",</w>"}, if the vocabulary has it. */
  public OptionalInt id(String token) {
    Integer id = vocab.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /**
   * Human-readable text for ids: BOS and EOS are skipped, word ends become spaces, bytes are
   * decoded as UTF-8 (invalid sequences become U+FFFD), the result is trimmed. The text is
   * lower-case and cleaned, not the original prompt. Pass unpadded ids: a pad id that is ordinary
   * text (SD 2.x's {@code "!"}) is decoded as text.
   *
   * @throws BadRequestException if an id is not in the vocabulary
   */
  public String decode(int[] ids) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int id : ids) {
      if (id == bosId || id == eosId) {
        continue;
      }
      String token = token(id);
      int end = token.endsWith(END_OF_WORD) ? token.length() - END_OF_WORD.length() : -1;
      String body = end >= 0 ? token.substring(0, end) : token;
      for (int i = 0; i < body.length(); i++) {
        int b = ByteUnicode.decode(body.charAt(i));
        if (b >= 0) {
          bytes.write(b);
        } else {
          byte[] raw = String.valueOf(body.charAt(i)).getBytes(StandardCharsets.UTF_8);
          bytes.write(raw, 0, raw.length);
        }
      }
      if (end >= 0) {
        bytes.write(' ');
      }
    }
    return bytes.toString(StandardCharsets.UTF_8).strip();
  }

  /** The id of the beginning-of-text token ({@code <|startoftext|>}, 49406 in CLIP). */
  public int bosId() {
    return bosId;
  }

  /** The id of the end-of-text token ({@code <|endoftext|>}, 49407 in CLIP). */
  public int eosId() {
    return eosId;
  }

  /**
   * The padding id: the EOS id for SD 1.x, 0 ({@code "!"}) for SD 2.x and SDXL's second encoder.
   */
  public int padId() {
    return padId;
  }

  /** The text encoder's sequence length in tokens, BOS and EOS included (77 for CLIP). */
  public int maxLength() {
    return maxLength;
  }

  /** The number of entries in {@code vocab.json} (49,408 for CLIP). */
  public int vocabSize() {
    return vocab.size();
  }

  private int[] idsOf(String token) {
    Integer id = vocab.get(token);
    return new int[] {id == null ? unkId : id};
  }

  /** BPE of one piece (already in table characters): merge the lowest-ranked pair until none. */
  private int[] bpe(String piece) {
    List<String> word = new ArrayList<>(piece.length());
    for (int i = 0; i < piece.length() - 1; i++) {
      word.add(String.valueOf(piece.charAt(i)));
    }
    word.add(piece.charAt(piece.length() - 1) + END_OF_WORD);
    while (word.size() > 1) {
      int best = Integer.MAX_VALUE;
      String first = null;
      String second = null;
      for (int i = 0; i + 1 < word.size(); i++) {
        Integer rank = ranks.get(word.get(i) + " " + word.get(i + 1));
        if (rank != null && rank < best) {
          best = rank;
          first = word.get(i);
          second = word.get(i + 1);
        }
      }
      if (first == null) {
        break;
      }
      List<String> merged = new ArrayList<>(word.size());
      for (int i = 0; i < word.size(); i++) {
        if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
          merged.add(first + second);
          i++;
        } else {
          merged.add(word.get(i));
        }
      }
      word = merged;
    }
    int[] ids = new int[word.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = idsOf(word.get(i))[0];
    }
    return ids;
  }
}

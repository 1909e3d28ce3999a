package atelier.text;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The text cleaning transformers' {@code CLIPTokenizer} applies when ftfy is not installed (the
 * usual case for diffusers users): a {@code BasicTokenizer} with {@code strip_accents=False} and
 * {@code do_split_on_punc=False}.
 *
 * <p>In order: drop NUL, U+FFFD and every character of general category C (control, format,
 * unassigned, private use, surrogate) except tab, newline and carriage return; turn those three and
 * every space separator (Zs) into a space; put a space on each side of CJK ideographs (so each one
 * is its own word); normalise to NFC; split on whitespace; lower-case; join with single spaces.
 *
 * <p>ftfy's mojibake repair is not reproduced; it changes nothing in well-formed text.
 */
final class ClipTextCleaner {
  private ClipTextCleaner() {}

  static String clean(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 8);
    text.codePoints()
        .forEach(
            cp -> {
              int type = Character.getType(cp);
              if (cp == '\t' || cp == '\n' || cp == '\r' || type == Character.SPACE_SEPARATOR) {
                sb.append(' ');
              } else if (cp == 0 || cp == 0xFFFD || isOther(type)) {
                // dropped, as BasicTokenizer._clean_text does
              } else if (isCjkIdeograph(cp)) {
                sb.append(' ').appendCodePoint(cp).append(' ');
              } else if (cp == 0x2028 || cp == 0x2029) {
                // line/paragraph separators survive _clean_text but Python's str.split() splits on
                // them, so they end a word like a space does
                sb.append(' ');
              } else {
                sb.appendCodePoint(cp);
              }
            });
    String nfc = Normalizer.normalize(sb, Normalizer.Form.NFC);
    StringBuilder out = new StringBuilder(nfc.length());
    for (String word : nfc.split(" ")) {
      if (!word.isEmpty()) {
        if (out.length() > 0) {
          out.append(' ');
        }
        out.append(word.toLowerCase(Locale.ROOT));
      }
    }
    return out.toString();
  }

  /** Unicode general category C*: Cc, Cf, Cn, Co, Cs. */
  private static boolean isOther(int type) {
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.UNASSIGNED
        || type == Character.PRIVATE_USE
        || type == Character.SURROGATE;
  }

  /** The code-point ranges BERT's BasicTokenizer treats as Chinese characters. */
  private static boolean isCjkIdeograph(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }
}

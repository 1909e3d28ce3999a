package atelier.text;

import java.util.Arrays;

/**
 * The byte table of GPT-2/CLIP byte-level BPE: every byte value maps to one printable character so
 * that BPE never sees whitespace or control characters. Printable Latin-1 bytes ({@code !..~},
 * {@code ¡..¬}, {@code ®..ÿ}) keep their own code point; the other 68 bytes take U+0100, U+0101, …
 * in byte order. All 256 characters lie below U+0200, so one Java {@code char} each.
 */
final class ByteUnicode {
  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[0x200];

  static {
    Arrays.fill(CHAR_TO_BYTE, -1);
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      char c = printable ? (char) b : (char) (0x100 + extra++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteUnicode() {}

  /** The printable character standing for each byte of {@code utf8}, as one string. */
  static String encode(byte[] utf8) {
    char[] out = new char[utf8.length];
    for (int i = 0; i < utf8.length; i++) {
      out[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
    }
    return new String(out);
  }

  /** The byte a table character stands for, or -1 when {@code c} is not in the table. */
  static int decode(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }
}

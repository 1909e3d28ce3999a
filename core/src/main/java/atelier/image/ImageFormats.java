package atelier.image;

import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/**
 * Image formats told apart by their first bytes, so a file ImageIO cannot read is named ("WebP")
 * rather than called unreadable; and the one ImageIO setting every reader and writer needs.
 * Stateless.
 */
final class ImageFormats {
  /** What Atelier reads, for messages. */
  static final String EXPECTED = "PNG, JPEG, BMP or GIF";

  static {
    // ImageIO's disk cache writes imageio*.tmp files to the temporary folder for every stream it
    // wraps; a killed process leaves them behind, and memory is faster anyway.
    ImageIO.setUseCache(false);
  }

  private ImageFormats() {}

  /** Turns ImageIO's disk cache off (done once, when this class is first used). */
  static void init() {
    // The static initialiser does the work; calling this makes sure it has run.
  }

  /** The format a file's first bytes announce, or null when they announce none known here. */
  static String sniff(byte[] head) {
    if (starts(head, 0x89, 'P', 'N', 'G')) {
      return "PNG";
    }
    if (starts(head, 0xff, 0xd8, 0xff)) {
      return "JPEG";
    }
    if (ascii(head, 0, "GIF8")) {
      return "GIF";
    }
    if (ascii(head, 0, "BM")) {
      return "BMP";
    }
    if (ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) {
      return "WebP";
    }
    if (ascii(head, 4, "ftyp") && head.length >= 12) {
      String brand = new String(head, 8, 4, StandardCharsets.ISO_8859_1);
      switch (brand) {
        case "avif":
        case "avis":
          return "AVIF";
        case "heic":
        case "heix":
        case "hevc":
        case "hevx":
        case "mif1":
        case "msf1":
          return "HEIC";
        default:
          return null;
      }
    }
    if (starts(head, 'I', 'I', 0x2a, 0) || starts(head, 'M', 'M', 0, 0x2a)) {
      return "TIFF";
    }
    if (starts(head, 0xff, 0x0a) || ascii(head, 4, "JXL ")) {
      return "JPEG XL";
    }
    if (ascii(head, 4, "jP  ") || starts(head, 0xff, 0x4f, 0xff, 0x51)) {
      return "JPEG 2000";
    }
    if (ascii(head, 0, "8BPS")) {
      return "Photoshop (PSD)";
    }
    if (ascii(head, 0, "%PDF")) {
      return "PDF";
    }
    if (starts(head, 0, 0, 1, 0)) {
      return "ICO";
    }
    String text = new String(head, StandardCharsets.ISO_8859_1).trim();
    if (text.startsWith("<svg") || text.startsWith("<?xml")) {
      return "SVG";
    }
    return null;
  }

  /** "a WebP image" or "a file of an unknown kind", for messages. */
  static String describe(byte[] head) {
    String f = sniff(head);
    return f == null ? "a file of an unknown kind" : "a " + f + " image";
  }

  private static boolean starts(byte[] b, int... values) {
    if (b.length < values.length) {
      return false;
    }
    for (int i = 0; i < values.length; i++) {
      if ((b[i] & 0xff) != values[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean ascii(byte[] b, int at, String s) {
    if (b.length < at + s.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (b[at + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}

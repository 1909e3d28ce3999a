package atelier.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Rewrites one text chunk of a PNG this server made, byte for byte everywhere else (the pixels are
 * not decoded or re-encoded). Stateless.
 */
final class PngChunks {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private PngChunks() {}

  /**
   * {@code png} with the text chunk {@code keyword} (tEXt, zTXt or iTXt) replaced by an
   * uncompressed UTF-8 iTXt chunk holding {@code text}, in the same place; unchanged when there is
   * no such chunk.
   *
   * @throws IllegalArgumentException when {@code png} is not a well-formed PNG
   */
  static byte[] replaceText(byte[] png, String keyword, String text) {
    if (png.length < 8 || !java.util.Arrays.equals(png, 0, 8, SIGNATURE, 0, 8)) {
      throw new IllegalArgumentException("expected a PNG file, found other bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(png);
    ByteArrayOutputStream out = new ByteArrayOutputStream(png.length + text.length());
    out.write(png, 0, 8);
    boolean replaced = false;
    int pos = 8;
    while (pos + 12 <= png.length) {
      int length = in.getInt(pos);
      if (length < 0 || pos + 12L + length > png.length) {
        throw new IllegalArgumentException("expected a chunk of " + length + " bytes at " + pos);
      }
      String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
      boolean textChunk = type.equals("tEXt") || type.equals("zTXt") || type.equals("iTXt");
      if (!replaced && textChunk && keywordIs(png, pos + 8, length, keyword)) {
        writeItxt(out, keyword, text);
        replaced = true;
      } else {
        out.write(png, pos, 12 + length);
      }
      pos += 12 + length;
    }
    return replaced ? out.toByteArray() : png;
  }

  private static boolean keywordIs(byte[] png, int data, int length, String keyword) {
    byte[] k = keyword.getBytes(StandardCharsets.ISO_8859_1);
    return length > k.length
        && java.util.Arrays.equals(png, data, data + k.length, k, 0, k.length)
        && png[data + k.length] == 0;
  }

  private static void writeItxt(ByteArrayOutputStream out, String keyword, String text) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.writeBytes("iTXt".getBytes(StandardCharsets.ISO_8859_1));
    data.writeBytes(keyword.getBytes(StandardCharsets.ISO_8859_1));
    // keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translation NUL
    data.writeBytes(new byte[] {0, 0, 0, 0, 0});
    data.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    byte[] typeAndData = data.toByteArray();
    CRC32 crc = new CRC32();
    crc.update(typeAndData);
    out.writeBytes(ByteBuffer.allocate(4).putInt(typeAndData.length - 4).array());
    out.writeBytes(typeAndData);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}

package atelier.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Hostile image files made in the test that needs them (small on disk): PNGs whose header declares
 * huge pixel counts, text chunks that inflate to far more than they hold, damaged chunks, sparse
 * multi-gigabyte files.
 */
public final class HostileFiles {
  private HostileFiles() {}

  /** The 8-byte PNG signature. */
  public static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /** One PNG chunk: length, type, data, CRC (the right CRC unless {@code breakCrc}). */
  public static byte[] chunk(String type, byte[] data, boolean breakCrc) {
    ByteBuffer b = ByteBuffer.allocate(12 + data.length);
    byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
    b.putInt(data.length).put(t).put(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    b.putInt((int) (crc.getValue() ^ (breakCrc ? 1 : 0)));
    return b.array();
  }

  /** An IHDR chunk: 8-bit greyscale at the given size. */
  public static byte[] ihdr(int width, int height) {
    ByteBuffer b = ByteBuffer.allocate(13);
    b.putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0);
    b.put((byte) 0);
    return chunk("IHDR", b.array(), false);
  }

  /** zlib-compressed bytes of {@code n} zeros, compressed as a stream (no n-byte buffer). */
  public static byte[] deflatedZeros(long n) {
    Deflater d = new Deflater(9);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] zeros = new byte[1 << 16];
    byte[] buf = new byte[1 << 16];
    long left = n;
    while (left > 0) {
      int k = (int) Math.min(zeros.length, left);
      d.setInput(zeros, 0, k);
      left -= k;
      while (!d.needsInput()) {
        out.write(buf, 0, d.deflate(buf));
      }
    }
    d.finish();
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }

  /**
   * A small PNG whose header declares {@code width × height} greyscale pixels; its IDAT holds only
   * the first rows (a decoder that trusts the header allocates the whole image first).
   */
  public static Path pixelBomb(Path file, int width, int height) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(SIGNATURE);
    png.write(ihdr(width, height));
    png.write(chunk("IDAT", deflatedZeros((width + 1L) * 4), false));
    png.write(chunk("IEND", new byte[0], false));
    return Files.write(file, png.toByteArray());
  }

  /** A valid 8×8 grey PNG with the given extra chunks before its pixels. */
  public static Path pngWith(Path file, byte[]... chunks) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(SIGNATURE);
    png.write(ihdr(8, 8));
    for (byte[] c : chunks) {
      png.write(c);
    }
    png.write(chunk("IDAT", deflatedZeros(9 * 8), false));
    png.write(chunk("IEND", new byte[0], false));
    return Files.write(file, png.toByteArray());
  }

  /** A zTXt chunk whose text inflates to {@code inflated} zero bytes. */
  public static byte[] zTxtBomb(String keyword, long inflated) {
    byte[] z = deflatedZeros(inflated);
    byte[] k = keyword.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(k.length + 2 + z.length);
    b.put(k).put((byte) 0).put((byte) 0).put(z);
    return chunk("zTXt", b.array(), false);
  }

  /** A compressed iTXt chunk whose text inflates to {@code inflated} zero bytes. */
  public static byte[] iTxtBomb(String keyword, long inflated) {
    byte[] z = deflatedZeros(inflated);
    byte[] k = keyword.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(k.length + 5 + z.length);
    b.put(k).put((byte) 0).put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).put(z);
    return chunk("iTXt", b.array(), false);
  }

  /** A tEXt chunk, its CRC broken when asked. */
  public static byte[] tEXt(String keyword, String text, boolean breakCrc) {
    return chunk("tEXt", (keyword + "\0" + text).getBytes(StandardCharsets.ISO_8859_1), breakCrc);
  }

  /** A sparse file of {@code size} bytes that starts like a PNG (takes no space on disk). */
  public static Path sparse(Path file, long size) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.write(SIGNATURE);
      f.setLength(size);
    }
    return file;
  }

  /** The first bytes of a WebP file (RIFF container, VP8 chunk header). */
  public static Path webp(Path file) throws IOException {
    byte[] head = "RIFF\u0024\0\0\0WEBPVP8 \u0018\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
    byte[] b = new byte[64];
    System.arraycopy(head, 0, b, 0, head.length);
    return Files.write(file, b);
  }
}

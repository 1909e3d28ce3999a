package atelier.upscale;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * Reads regular files out of a gzip-compressed tar archive (the npm package format): POSIX ustar
 * headers with the name prefix, PAX {@code path} records and GNU long names. Stateless.
 */
final class TarGz {
  private static final int BLOCK = 512;

  private TarGz() {}

  /**
   * The files whose path {@code keep} accepts, by path, in archive order.
   *
   * @throws IOException when the file is not a gzip tar archive or ends early
   */
  static Map<String, byte[]> read(Path archive, Predicate<String> keep) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(archive), 1 << 16)) {
      byte[] header = new byte[BLOCK];
      String longName = null;
      while (readFully(in, header)) {
        if (isZero(header)) {
          break; // end-of-archive marker
        }
        if (!new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
          throw new IOException(archive + ": expected a ustar tar header, found something else");
        }
        long size = number(header, 124, 12);
        char type = (char) header[156];
        String name = longName != null ? longName : name(header);
        longName = null;
        if (type == 'x' || type == 'L') {
          byte[] meta = body(in, size);
          longName = type == 'L' ? cString(meta, 0, meta.length) : paxPath(meta);
          continue;
        }
        boolean regular = type == '0' || type == '\0';
        if (regular && keep.test(name)) {
          files.put(name, body(in, size));
        } else {
          skip(in, size + padding(size));
        }
      }
    }
    return files;
  }

  private static String name(byte[] h) {
    String name = cString(h, 0, 100);
    String prefix = cString(h, 345, 155);
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static String paxPath(byte[] meta) {
    // Records are "<length> <key>=<value>\n".
    String s = new String(meta, StandardCharsets.UTF_8);
    for (String line : s.split("\n")) {
      int sp = line.indexOf(' ');
      if (sp > 0 && line.startsWith("path=", sp + 1)) {
        return line.substring(sp + 6);
      }
    }
    return null;
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  /** Octal (space/NUL terminated) or base-256 (high bit set) number field. */
  private static long number(byte[] h, int off, int len) throws IOException {
    if ((h[off] & 0x80) != 0) {
      long v = h[off] & 0x7f;
      for (int i = 1; i < len; i++) {
        v = (v << 8) | (h[off + i] & 0xff);
      }
      return v;
    }
    long v = 0;
    for (int i = off; i < off + len; i++) {
      byte c = h[i];
      if (c == 0 || c == ' ') {
        if (v > 0) {
          break;
        }
        continue;
      }
      if (c < '0' || c > '7') {
        throw new IOException("tar header: expected an octal size, found byte " + c);
      }
      v = v * 8 + (c - '0');
    }
    return v;
  }

  private static byte[] body(InputStream in, long size) throws IOException {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IOException("tar entry: expected a file under 2 GB, found " + size + " bytes");
    }
    byte[] b = new byte[(int) size];
    if (!readFully(in, b)) {
      throw new IOException("tar entry: the archive ends inside a file");
    }
    skip(in, padding(size));
    return b;
  }

  private static void skip(InputStream in, long size) throws IOException {
    long left = size;
    byte[] buf = new byte[8192];
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException("tar entry: the archive ends inside a file");
      }
      left -= n;
    }
  }

  private static long padding(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private static boolean readFully(InputStream in, byte[] b) throws IOException {
    int off = 0;
    while (off < b.length) {
      int n = in.read(b, off, b.length - off);
      if (n < 0) {
        if (off == 0) {
          return false;
        }
        throw new IOException("tar: the archive ends inside a block");
      }
      off += n;
    }
    return true;
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}

package atelier.image;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * PNG files with text chunks: the way Atelier (like A1111 and ComfyUI) stores generation parameters
 * inside the image. A value that fits Latin-1 goes into a {@code tEXt} chunk, others into an
 * uncompressed UTF-8 {@code iTXt} chunk, as PIL's {@code PngInfo.add_text} does. Stateless.
 */
public final class PngText {
  private static final String FORMAT = "javax_imageio_png_1.0";

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  static {
    ImageFormats.init();
  }

  private PngText() {}

  /** Encodes {@code image} as PNG with the given text chunks, in order. */
  public static byte[] encode(BufferedImage image, Map<String, String> texts) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    // A memory-cached stream, not ImageIO.createImageOutputStream: its file cache registers a
    // shutdown hook, which fails ("Shutdown in progress") when an image finishes during Ctrl-C.
    try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      IIOMetadata meta =
          writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
      IIOMetadataNode root = new IIOMetadataNode(FORMAT);
      IIOMetadataNode text = new IIOMetadataNode("tEXt");
      IIOMetadataNode itext = new IIOMetadataNode("iTXt");
      for (Map.Entry<String, String> e : texts.entrySet()) {
        if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(e.getValue())) {
          IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
          entry.setAttribute("keyword", e.getKey());
          entry.setAttribute("value", e.getValue());
          text.appendChild(entry);
        } else {
          IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
          entry.setAttribute("keyword", e.getKey());
          entry.setAttribute("compressionFlag", "FALSE");
          entry.setAttribute("compressionMethod", "0");
          entry.setAttribute("languageTag", "");
          entry.setAttribute("translatedKeyword", "");
          entry.setAttribute("text", e.getValue());
          itext.appendChild(entry);
        }
      }
      if (text.hasChildNodes()) {
        root.appendChild(text);
      }
      if (itext.hasChildNodes()) {
        root.appendChild(itext);
      }
      meta.mergeTree(FORMAT, root);
      writer.write(null, new IIOImage(image, null, meta), null);
      out.flush();
      return bytes.toByteArray();
    } catch (IIOInvalidTreeException e) {
      throw new IllegalStateException("PNG metadata tree rejected: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding PNG failed: " + e.getMessage(), e);
    } finally {
      writer.dispose();
    }
  }

  /**
   * Reads every text chunk ({@code tEXt}, {@code zTXt}, {@code iTXt}) of a PNG file, under the
   * {@linkplain ImageLimits#current() limits in force}.
   *
   * @throws BadRequestException naming the file when it is not a PNG, is damaged (a text chunk's
   *     CRC does not match, a chunk is cut short) or exceeds a limit (file size, inflated text)
   * @throws IOException when the file cannot be read
   */
  public static Map<String, String> read(Path file) throws IOException {
    return read(file, ImageLimits.current());
  }

  /**
   * Reads every text chunk of a PNG file by walking its chunks (the pixels are skipped, not
   * decoded). Text chunks are checked against their CRC, and compressed ones are inflated only up
   * to {@link ImageLimits#maxTextBytes()}, so a chunk that inflates to gigabytes costs kilobytes.
   *
   * @throws BadRequestException naming the file when it is not a PNG, is damaged or exceeds a limit
   * @throws IOException when the file cannot be read
   */
  public static Map<String, String> read(Path file, ImageLimits limits) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > limits.maxFileBytes()) {
        throw bad(
            file,
            "expected a file of at most "
                + ImageLimits.bytes(limits.maxFileBytes())
                + " (atelier.image.maxFileBytes), found "
                + ImageLimits.bytes(size));
      }
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(32, size));
      readFully(ch, head, 0);
      if (head.position() < 8 || !Arrays.equals(head.array(), 0, 8, SIGNATURE, 0, 8)) {
        throw bad(
            file,
            "expected a PNG file, found "
                + (size == 0 ? "an empty file" : ImageFormats.describe(head.array())));
      }
      Map<String, String> out = new LinkedHashMap<>();
      long total = 0;
      long pos = 8;
      while (pos < size) {
        ByteBuffer h = ByteBuffer.allocate(8);
        readFully(ch, h, pos);
        if (h.position() < 8) {
          throw bad(
              file,
              "expected a PNG chunk header at byte "
                  + pos
                  + ", found a file cut short at "
                  + size
                  + " bytes");
        }
        long length = Integer.toUnsignedLong(h.getInt(0));
        String type = new String(h.array(), 4, 4, StandardCharsets.ISO_8859_1);
        if (pos + 12 + length > size) {
          throw bad(
              file,
              "expected "
                  + length
                  + " bytes of chunk "
                  + type
                  + " at byte "
                  + pos
                  + ", found a file cut short at "
                  + size
                  + " bytes");
        }
        if (type.equals("IEND")) {
          break;
        }
        if (type.equals("tEXt") || type.equals("zTXt") || type.equals("iTXt")) {
          TextChunk t = readText(ch, file, type, pos, (int) length, limits);
          total += t.text().length();
          if (total > limits.maxTotalTextBytes()) {
            throw bad(
                file,
                "expected at most "
                    + ImageLimits.bytes(limits.maxTotalTextBytes())
                    + " of text in all chunks together (4 × atelier.image.maxTextBytes; A1111"
                    + " parameters are a few kilobytes), found more with chunk '"
                    + t.keyword()
                    + "'");
          }
          out.put(t.keyword(), t.text());
        }
        pos += 12 + length;
      }
      return out;
    }
  }

  /** Whether a file starts with the PNG signature (false when it cannot be read). */
  public static boolean isPng(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer head = ByteBuffer.allocate(8);
      readFully(ch, head, 0);
      return head.position() == 8 && Arrays.equals(head.array(), SIGNATURE);
    } catch (IOException e) {
      return false;
    }
  }

  private record TextChunk(String keyword, String text) {}

  private static TextChunk readText(
      FileChannel ch, Path file, String type, long pos, int length, ImageLimits limits)
      throws IOException {
    if (length > limits.maxTextBytes() + 200L) {
      throw bad(file, tooLarge(type, pos, "holds " + ImageLimits.bytes(length), limits));
    }
    ByteBuffer body = ByteBuffer.allocate(length + 4);
    readFully(ch, body, pos + 8);
    byte[] data = Arrays.copyOf(body.array(), length);
    long stored = Integer.toUnsignedLong(body.getInt(length));
    CRC32 crc = new CRC32();
    crc.update(type.getBytes(StandardCharsets.ISO_8859_1));
    crc.update(data);
    if (crc.getValue() != stored) {
      throw bad(
          file,
          String.format(
              Locale.ROOT,
              "text chunk %s at byte %d is damaged: expected CRC %08x, found %08x",
              type,
              pos,
              crc.getValue(),
              stored));
    }
    int z = indexOf(data, 0, 0);
    if (z < 1 || z > 79) {
      throw bad(
          file,
          "text chunk "
              + type
              + " at byte "
              + pos
              + ": expected a keyword of 1 to 79 bytes ending in a zero byte, found "
              + (z < 0 ? "none" : z + " bytes"));
    }
    String keyword = new String(data, 0, z, StandardCharsets.ISO_8859_1);
    String where = "text chunk " + type + " '" + keyword + "' at byte " + pos;
    switch (type) {
      case "tEXt":
        return new TextChunk(
            keyword,
            latin1(payload(file, type, pos, keyword, limits, data, z + 1, length - z - 1, false)));
      case "zTXt":
        return new TextChunk(
            keyword,
            latin1(payload(file, type, pos, keyword, limits, data, z + 2, length - z - 2, true)));
      default:
        {
          // iTXt: keyword 0 flag method language 0 translated-keyword 0 text (UTF-8)
          if (z + 3 > length) {
            throw bad(file, where + ": expected compression flag and method, found the end");
          }
          boolean compressed = data[z + 1] != 0;
          int lang = indexOf(data, z + 3, 0);
          int translated = lang < 0 ? -1 : indexOf(data, lang + 1, 0);
          if (translated < 0) {
            throw bad(file, where + ": expected language and translated keyword, found the end");
          }
          int from = translated + 1;
          byte[] text =
              payload(file, type, pos, keyword, limits, data, from, length - from, compressed);
          return new TextChunk(keyword, new String(text, StandardCharsets.UTF_8));
        }
    }
  }

  private static byte[] payload(
      Path file,
      String type,
      long pos,
      String keyword,
      ImageLimits limits,
      byte[] data,
      int off,
      int len,
      boolean compressed) {
    String where = type + " '" + keyword + "'";
    if (len < 0) {
      throw bad(file, "text chunk " + where + " at byte " + pos + ": expected text, found the end");
    }
    if (!compressed) {
      if (len > limits.maxTextBytes()) {
        throw bad(file, tooLarge(where, pos, "holds " + ImageLimits.bytes(len), limits));
      }
      return Arrays.copyOfRange(data, off, off + len);
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(data, off, len);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(buf);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw bad(
              file,
              "text chunk "
                  + where
                  + " at byte "
                  + pos
                  + ": expected complete zlib data, found it cut short");
        }
        if ((long) out.size() + n > limits.maxTextBytes()) {
          throw bad(
              file,
              tooLarge(
                  where,
                  pos,
                  "inflates to more than " + ImageLimits.bytes(limits.maxTextBytes()),
                  limits));
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw bad(
          file,
          "text chunk "
              + where
              + " at byte "
              + pos
              + ": expected zlib-compressed text, found damaged data ("
              + e.getMessage()
              + ")");
    } finally {
      inflater.end();
    }
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static String tooLarge(String where, long pos, String found, ImageLimits limits) {
    return "text chunk "
        + where
        + " at byte "
        + pos
        + " "
        + found
        + "; expected at most "
        + ImageLimits.bytes(limits.maxTextBytes())
        + " per text chunk (atelier.image.maxTextBytes; A1111 parameters are a few kilobytes)";
  }

  private static int indexOf(byte[] data, int from, int value) {
    for (int i = from; i < data.length; i++) {
      if (data[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) {
        return;
      }
    }
  }

  private static BadRequestException bad(Path file, String reason) {
    return new BadRequestException(file + ": " + reason);
  }
}

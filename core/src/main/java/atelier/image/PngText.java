package atelier.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.w3c.dom.Node;

/**
 * PNG files with text chunks: the way Atelier (like A1111 and ComfyUI) stores generation parameters
 * inside the image. A value that fits Latin-1 goes into a {@code tEXt} chunk, others into an
 * uncompressed UTF-8 {@code iTXt} chunk, as PIL's {@code PngInfo.add_text} does. Stateless.
 */
public final class PngText {
  private static final String FORMAT = "javax_imageio_png_1.0";

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
   * Reads every text chunk ({@code tEXt}, {@code zTXt}, {@code iTXt}) of a PNG file.
   *
   * @throws IOException when the file cannot be read or is not a PNG
   */
  public static Map<String, String> read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file);
        ImageInputStream iis = ImageIO.createImageInputStream(in)) {
      Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
      ImageReader reader = readers.next();
      try {
        reader.setInput(iis, true, false);
        IIOMetadata meta = reader.getImageMetadata(0);
        Map<String, String> out = new LinkedHashMap<>();
        collect(meta.getAsTree(FORMAT), out);
        return out;
      } catch (javax.imageio.IIOException e) {
        throw new IOException(file + " is not a readable PNG: " + e.getMessage(), e);
      } finally {
        reader.dispose();
      }
    }
  }

  private static void collect(Node node, Map<String, String> out) {
    for (Node n = node.getFirstChild(); n != null; n = n.getNextSibling()) {
      String name = n.getNodeName();
      if (name.equals("tEXtEntry") || name.equals("zTXtEntry")) {
        out.put(attr(n, "keyword"), attr(n, name.equals("tEXtEntry") ? "value" : "text"));
      } else if (name.equals("iTXtEntry")) {
        out.put(attr(n, "keyword"), attr(n, "text"));
      } else {
        collect(n, out);
      }
    }
  }

  private static String attr(Node n, String name) {
    Node a = n.getAttributes().getNamedItem(name);
    return a == null ? "" : a.getNodeValue();
  }
}

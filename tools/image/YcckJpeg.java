import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.File;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.w3c.dom.NodeList;

/**
 * Writes core/src/test/resources/image/ycck.jpg: a 16×12 four-channel JPEG stored as YCCK (Adobe
 * marker, transform 2), which Pillow cannot write. Run from the repository root: {@code java
 * tools/image/YcckJpeg.java}, then {@code /usr/bin/python3 tools/image/cmyk_jpeg.py} records the
 * pixels Pillow decodes it to. Deterministic.
 */
public class YcckJpeg {
  /** A placeholder CMYK colour space: the writer needs one to emit an Adobe marker. */
  static final class Cmyk extends ColorSpace {
    Cmyk() {
      super(TYPE_CMYK, 4);
    }

    public float[] toRGB(float[] v) {
      return new float[3];
    }

    public float[] fromRGB(float[] v) {
      return new float[4];
    }

    public float[] toCIEXYZ(float[] v) {
      return new float[3];
    }

    public float[] fromCIEXYZ(float[] v) {
      return new float[4];
    }
  }

  public static void main(String[] args) throws Exception {
    int w = 16;
    int h = 12;
    WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        r.setPixel(
            x, y, new int[] {(x * 17) % 256, (y * 23) % 256, ((x + y) * 11) % 256, 255 - (x * y * 3) % 256});
      }
    }
    ColorModel cm =
        new ComponentColorModel(new Cmyk(), false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam p = writer.getDefaultWriteParam();
    p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    p.setCompressionQuality(0.95f);
    IIOMetadata md = writer.getDefaultImageMetadata(new ImageTypeSpecifier(cm, r.getSampleModel()), p);
    String format = "javax_imageio_jpeg_image_1.0";
    IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(format);
    NodeList adobe = root.getElementsByTagName("app14Adobe");
    ((IIOMetadataNode) adobe.item(0)).setAttribute("transform", "2"); // YCCK
    md.setFromTree(format, root);
    File out = new File("core/src/test/resources/image/ycck.jpg");
    out.delete();
    try (ImageOutputStream o = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(o);
      writer.write(null, new IIOImage(r, null, md), p);
    }
    System.out.println("wrote " + out);
  }
}

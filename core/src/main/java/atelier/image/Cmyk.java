package atelier.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * Four-channel (CMYK and YCCK) JPEGs turned into RGB as Pillow's {@code convert("RGB")} does:
 * libjpeg's YCCK→CMYK step, Adobe's inverted CMYK (Pillow assumes it for every CMYK JPEG), then
 * {@code R = (255 − C)(255 − K)/255} with Pillow's rounding. ImageIO's own conversion gives other
 * colours. Stateless.
 */
final class Cmyk {
  private Cmyk() {}

  /** A JPEG's colour layout, as its markers say. */
  record Jpeg(boolean ycck) {
    /** The layout of a four-channel JPEG, or null for any other file. */
    static Jpeg of(byte[] b) {
      if (b.length < 4 || (b[0] & 0xff) != 0xff || (b[1] & 0xff) != 0xd8) {
        return null;
      }
      int transform = -1;
      int components = -1;
      int i = 2;
      while (i + 4 <= b.length) {
        if ((b[i] & 0xff) != 0xff) {
          return null;
        }
        int marker = b[i + 1] & 0xff;
        if (marker == 0xff) {
          i++;
          continue;
        }
        if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
          i += 2;
          continue;
        }
        int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
        int data = i + 4;
        if (marker == 0xee
            && len >= 14
            && data + 12 <= b.length
            && new String(b, data, 5, java.nio.charset.StandardCharsets.ISO_8859_1)
                .equals("Adobe")) {
          transform = b[data + 11] & 0xff;
        }
        boolean sof =
            marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
        if (sof && data + 6 <= b.length) {
          components = b[data + 5] & 0xff;
        }
        if (marker == 0xda || marker == 0xd9) {
          break;
        }
        i += 2 + len;
      }
      if (components != 4) {
        return null;
      }
      return new Jpeg(transform == 2);
    }
  }

  /** The RGB image of a four-channel JPEG raster as decoded without colour conversion. */
  static BufferedImage toRgb(Raster raster, Jpeg jpeg) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] px = new int[w * 4];
    int[] rgb = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, px);
      for (int x = 0; x < w; x++) {
        int c = px[4 * x];
        int m = px[4 * x + 1];
        int ye = px[4 * x + 2];
        int k = px[4 * x + 3];
        if (jpeg.ycck()) {
          int[] cmy = ycckToCmy(c, m, ye);
          c = cmy[0];
          m = cmy[1];
          ye = cmy[2];
        }
        // Adobe CMYK is stored inverted (Pillow's "CMYK;I"): stored s means ink 255 − s.
        int nk = k; // 255 − (255 − k)
        int r = clip(nk - mulDiv255(255 - c, nk));
        int g = clip(nk - mulDiv255(255 - m, nk));
        int bl = clip(nk - mulDiv255(255 - ye, nk));
        rgb[x] = (r << 16) | (g << 8) | bl;
      }
      out.setRGB(0, y, w, 1, rgb, 0, w);
    }
    return out;
  }

  /** libjpeg's {@code ycck_cmyk_convert} for the first three channels (jdcolor.c). */
  static int[] ycckToCmy(int yy, int cb, int cr) {
    final int scale = 16;
    final int half = 1 << (scale - 1);
    int xcb = cb - 128;
    int xcr = cr - 128;
    int crR = (fix(1.40200) * xcr + half) >> scale;
    int cbB = (fix(1.77200) * xcb + half) >> scale;
    int g = (-fix(0.71414) * xcr + -fix(0.34414) * xcb + half) >> scale;
    return new int[] {clip(255 - (yy + crR)), clip(255 - (yy + g)), clip(255 - (yy + cbB))};
  }

  private static int fix(double x) {
    return (int) (x * (1 << 16) + 0.5);
  }

  /** Pillow's {@code MULDIV255}: a·b/255 rounded as Pillow rounds it. */
  private static int mulDiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  }

  private static int clip(int v) {
    return v < 0 ? 0 : Math.min(255, v);
  }
}

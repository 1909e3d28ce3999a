package atelier.image;

import atelier.model.Tensor;
import java.awt.image.BufferedImage;

/**
 * Conversions between images and the NCHW float tensors the VAE reads and writes, with the value
 * mapping diffusers uses: pixels {@code p/255·2 − 1} in, {@code round(clamp(x/2 + 0.5, 0, 1)·255)}
 * out (round half to even, as numpy's {@code round}). Stateless.
 */
public final class ImageTensors {
  private ImageTensors() {}

  /**
   * An RGB image as {@code [1, 3, H, W]} in [-1, 1]. Transparent pixels are composited over white,
   * so a logo on a transparent background reads as a logo on white.
   */
  public static Tensor toTensor(BufferedImage image) {
    float[][] rgb = rgbPlanes(image);
    int plane = rgb[0].length;
    float[] data = new float[3 * plane];
    for (int c = 0; c < 3; c++) {
      float[] src = rgb[c];
      for (int i = 0; i < plane; i++) {
        data[c * plane + i] = src[i] / 255f * 2f - 1f;
      }
    }
    return Tensor.floats(data, 1, 3, image.getHeight(), image.getWidth());
  }

  /**
   * The red, green and blue planes of an image as floats in 0..255, row-major, with transparent
   * pixels composited over white — Atelier's one rule for alpha wherever pixels become numbers (the
   * VAE's input, the quality metrics).
   */
  public static float[][] rgbPlanes(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int n = w * h;
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    boolean alpha = image.getColorModel().hasAlpha();
    float[] r = new float[n];
    float[] g = new float[n];
    float[] b = new float[n];
    for (int i = 0; i < n; i++) {
      int p = argb[i];
      float rr = (p >> 16) & 0xff;
      float gg = (p >> 8) & 0xff;
      float bb = p & 0xff;
      if (alpha) {
        float a = ((p >>> 24) & 0xff) / 255f;
        rr = rr * a + 255f * (1 - a);
        gg = gg * a + 255f * (1 - a);
        bb = bb * a + 255f * (1 - a);
      }
      r[i] = rr;
      g[i] = gg;
      b[i] = bb;
    }
    return new float[][] {r, g, b};
  }

  /** The pixel value diffusers' {@code numpy_to_pil} gives for a decoder output {@code x}. */
  public static int toByte(float x) {
    float v = x / 2f + 0.5f;
    v = v < 0f ? 0f : Math.min(v, 1f);
    return (int) Math.rint(v * 255f);
  }

  /**
   * Image {@code index} of a decoder output {@code [B, 3, H, W]} as an 8-bit RGB image.
   *
   * @throws IllegalArgumentException when the tensor is not three-channel NCHW
   */
  public static BufferedImage toImage(Tensor decoded, int index) {
    long[] s = decoded.shape();
    if (s.length != 4 || s[1] != 3) {
      throw new IllegalArgumentException(
          "decoded image: expected [batch, 3, height, width], found " + decoded);
    }
    int h = (int) s[2];
    int w = (int) s[3];
    int plane = w * h;
    float[] d = decoded.floatData();
    int base = index * 3 * plane;
    int[] rgb = new int[plane];
    for (int i = 0; i < plane; i++) {
      int r = toByte(d[base + i]);
      int g = toByte(d[base + plane + i]);
      int b = toByte(d[base + 2 * plane + i]);
      rgb[i] = (r << 16) | (g << 8) | b;
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, w, h, rgb, 0, w);
    return img;
  }
}

package atelier.pipeline;

import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import java.nio.file.Path;
import java.util.Map;

/**
 * The VAE decoder stage: unscaled latents {@code [1, 4, h, w]} → image {@code [1, 3, 8h, 8w]} in
 * roughly [-1, 1]. Thread-safe; owns its session.
 */
public final class VaeDecoder implements AutoCloseable {
  private final OnnxModel model;

  public VaeDecoder(OnnxModel model) {
    this.model = model;
    model.requireInput("latent_sample", TextEncoder.FLOATS, 4);
    model.requireOutput("sample", TextEncoder.FLOATS, 4);
  }

  /** Opens {@code vae_decoder/model.onnx}. */
  public static VaeDecoder open(Path graph, SessionSettings settings) {
    return new VaeDecoder(OnnxModel.open("vae_decoder", graph, settings));
  }

  /**
   * Decodes latents already divided by the VAE scaling factor.
   *
   * @param latents {@code [batch, 4, h, w]}
   * @return {@code [batch, 3, H, W]}
   */
  public Tensor decode(Tensor latents) {
    return model.run(Map.of("latent_sample", latents), "sample").get("sample");
  }

  /** Latent side of a tile for {@link #decodeTiled} (512 pixels). */
  public static final int TILE = 64;

  /** Latent overlap between neighbouring tiles (128 pixels), blended linearly. */
  public static final int OVERLAP = 16;

  /** Whether a latent of this size is decoded in tiles: above 1024×1024 pixels of area. */
  public static boolean needsTiles(int latentHeight, int latentWidth) {
    return (long) latentHeight * latentWidth > 128L * 128L;
  }

  /**
   * Decodes one image's latents {@code [1, 4, h, w]} in overlapping tiles of {@link #TILE} latents,
   * blended with linear ramps across the overlaps, so large images fit in memory. The VAE's
   * attention sees one tile at a time, so the result differs slightly from a whole decode; Atelier
   * uses it only above 1024×1024 pixels ({@link #needsTiles}).
   *
   * @return {@code [1, 3, 8h, 8w]}
   */
  public Tensor decodeTiled(Tensor latents) {
    int h = latents.dim(2);
    int w = latents.dim(3);
    if (h <= TILE && w <= TILE) {
      return decode(latents);
    }
    float[] lat = latents.floatData();
    int ph = h * 8;
    int pw = w * 8;
    float[] sum = new float[3 * ph * pw];
    float[] weights = new float[ph * pw];
    for (int y0 : starts(h)) {
      for (int x0 : starts(w)) {
        int th = Math.min(TILE, h);
        int tw = Math.min(TILE, w);
        float[] tile = new float[4 * th * tw];
        for (int c = 0; c < 4; c++) {
          for (int y = 0; y < th; y++) {
            System.arraycopy(lat, (c * h + y0 + y) * w + x0, tile, (c * th + y) * tw, tw);
          }
        }
        float[] out = decode(Tensor.floats(tile, 1, 4, th, tw)).floatData();
        int oh = th * 8;
        int ow = tw * 8;
        for (int y = 0; y < oh; y++) {
          float wy = ramp(y, oh, y0 > 0, y0 + th < h);
          for (int x = 0; x < ow; x++) {
            float wt = wy * ramp(x, ow, x0 > 0, x0 + tw < w);
            int p = (y0 * 8 + y) * pw + x0 * 8 + x;
            weights[p] += wt;
            for (int c = 0; c < 3; c++) {
              sum[c * ph * pw + p] += wt * out[(c * oh + y) * ow + x];
            }
          }
        }
      }
    }
    for (int p = 0; p < ph * pw; p++) {
      for (int c = 0; c < 3; c++) {
        sum[c * ph * pw + p] /= weights[p];
      }
    }
    return Tensor.floats(sum, 1, 3, ph, pw);
  }

  /** Tile starts along an axis: every TILE − OVERLAP, the last one flush with the end. */
  static int[] starts(int size) {
    if (size <= TILE) {
      return new int[] {0};
    }
    int stride = TILE - OVERLAP;
    int n = (size - OVERLAP + stride - 1) / stride;
    int[] s = new int[n];
    for (int i = 0; i < n; i++) {
      s[i] = Math.min(i * stride, size - TILE);
    }
    return s;
  }

  /** Blend weight at pixel {@code i} of a tile of {@code n}: ramps up/down across the overlap. */
  private static float ramp(int i, int n, boolean rampStart, boolean rampEnd) {
    float r = OVERLAP * 8;
    float v = 1f;
    if (rampStart) {
      v = Math.min(v, (i + 0.5f) / r);
    }
    if (rampEnd) {
      v = Math.min(v, (n - i - 0.5f) / r);
    }
    return v;
  }

  /** The graph, for inspection. */
  public OnnxModel model() {
    return model;
  }

  @Override
  public void close() {
    model.close();
  }
}

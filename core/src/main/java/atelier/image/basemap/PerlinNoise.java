package atelier.image.basemap;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Disco Diffusion's Perlin init as a basemap: the image is blended toward the noise Disco
 * Diffusion's {@code regen_perlin} makes for the same seed ({@link DiscoPerlin}); {@code mix=1}
 * (the default) replaces it, as DD's {@code perlin_init} does. Start a chain with {@code canvas}
 * for a pure noise basemap. Alpha is kept.
 *
 * @param mode color, gray or mixed (DD's {@code perlin_mode})
 * @param seed the torch seed DD would be run with
 * @param mix 0..1, the share of noise
 */
public record PerlinNoise(Noise.Mode mode, long seed, double mix) implements BasemapOp {
  public PerlinNoise {
    Check.notNull("noise", "mode", mode);
    Check.range("noise", "seed", seed, 0, 0xFFFF_FFFFL);
    Check.range("noise", "mix", mix, 0, 1);
  }

  @Override
  public OpKind kind() {
    return OpKind.NOISE;
  }

  @Override
  public BufferedImage apply(BufferedImage image) {
    Pixels px = Pixels.of(image);
    int[][][] ab = DiscoPerlin.render(mode, seed, px.width, px.height);
    int[][] a = ab[0];
    int[][] b = ab[1];
    for (int i = 0; i < px.argb.length; i++) {
      int p = px.argb[i];
      int[] c = {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
      int[] o = new int[3];
      for (int ch = 0; ch < 3; ch++) {
        double noise = (a[ch][i] + b[ch][i]) / 2.0;
        o[ch] = Pixels.clamp8(c[ch] * (1 - mix) + noise * mix);
      }
      px.argb[i] = Pixels.pack(p >>> 24, o[0], o[1], o[2]);
    }
    return px.toImage();
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", Noise.Type.PERLIN);
    m.put("mode", mode);
    m.put("seed", seed);
    m.put("mix", mix);
    return m;
  }
}

package atelier.image.basemap;

import atelier.BadRequestException;
import atelier.diffusion.TorchGenerator;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Additive Gaussian noise: each level becomes {@code c + 255·sigma·n}, with {@code n} drawn as
 * {@code torch.manual_seed(seed); torch.randn(3, H, W)} (or {@code (H, W)} for grey, shared by the
 * three channels) on the CPU, so a seed gives the same noise here and in PyTorch. Alpha is kept.
 *
 * @param sigma standard deviation as a share of the full range, more than 0, at most 1
 * @param seed 0..2^32-1
 * @param mode color or gray
 */
public record GaussianNoise(double sigma, long seed, Noise.Mode mode) implements BasemapOp {
  public GaussianNoise {
    Check.positive("noise", "sigma", sigma, 1);
    Check.notNull("noise", "mode", mode);
    if (mode == Noise.Mode.MIXED) {
      throw new BadRequestException(
          "basemap noise: mode: expected color or gray for gaussian noise, found 'mixed'");
    }
  }

  @Override
  public OpKind kind() {
    return OpKind.NOISE;
  }

  @Override
  public BufferedImage apply(BufferedImage image) {
    Pixels px = Pixels.of(image);
    int n = px.argb.length;
    float[] noise = TorchGenerator.cpu(seed).randn(mode == Noise.Mode.GRAY ? n : 3 * n);
    int gOff = mode == Noise.Mode.GRAY ? 0 : n;
    int bOff = mode == Noise.Mode.GRAY ? 0 : 2 * n;
    double k = 255 * sigma;
    for (int i = 0; i < n; i++) {
      int p = px.argb[i];
      px.argb[i] =
          Pixels.pack(
              p >>> 24,
              Pixels.clamp8(((p >> 16) & 0xff) + k * noise[i]),
              Pixels.clamp8(((p >> 8) & 0xff) + k * noise[gOff + i]),
              Pixels.clamp8((p & 0xff) + k * noise[bOff + i]));
    }
    return px.toImage();
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", Noise.Type.GAUSSIAN);
    m.put("sigma", sigma);
    m.put("seed", seed);
    m.put("mode", mode);
    return m;
  }
}

package atelier.pipeline;

import atelier.diffusion.TorchGenerator;

/**
 * A1111's variation seeds: the start noise of a seed moved towards a second seed's noise by
 * spherical interpolation, as A1111's {@code rng.slerp} does it — over {@code [C, H, W]} noise,
 * with the vectors along the height axis (its {@code dim=1}), one angle per channel and column, and
 * a linear blend (weights as A1111 writes them) when the two noises are nearly parallel. Later
 * noise (ancestral steps) keeps coming from the seed's own generator, as in A1111. Stateless.
 */
public final class VariationNoise {
  private VariationNoise() {}

  /**
   * The start noise of one image: {@code generator}'s next {@code c·h·w} normals, blended with the
   * variation seed's first normals when {@code image} has variation.
   */
  static float[] start(TorchGenerator generator, GenerationSettings image, int c, int h, int w) {
    float[] noise = generator.randn(c * h * w);
    if (!image.varies()) {
      return noise;
    }
    float[] sub = TorchGenerator.cpu(image.subseed()).randn(c * h * w);
    return slerp(image.subseedStrength(), noise, sub, c, h, w);
  }

  /**
   * A1111's slerp of two {@code [c, h, w]} noises: {@code t = 0} gives {@code low}, {@code t = 1}
   * gives {@code high}.
   */
  public static float[] slerp(double t, float[] low, float[] high, int c, int h, int w) {
    int n = c * h * w;
    if (low.length != n || high.length != n) {
      throw new IllegalArgumentException(
          "slerp: expected two arrays of "
              + n
              + " values, found "
              + low.length
              + ", "
              + high.length);
    }
    double[] dot = new double[c * w];
    double dotSum = 0;
    for (int ch = 0; ch < c; ch++) {
      for (int x = 0; x < w; x++) {
        double nl = 0;
        double nh = 0;
        double d = 0;
        for (int y = 0; y < h; y++) {
          int i = (ch * h + y) * w + x;
          nl += (double) low[i] * low[i];
          nh += (double) high[i] * high[i];
          d += (double) low[i] * high[i];
        }
        dot[ch * w + x] = d / (Math.sqrt(nl) * Math.sqrt(nh));
        dotSum += dot[ch * w + x];
      }
    }
    float[] out = new float[n];
    if (dotSum / dot.length > 0.9995) {
      // A1111's fallback for nearly equal noises, with its weights as written.
      for (int i = 0; i < n; i++) {
        out[i] = (float) (low[i] * t + high[i] * (1 - t));
      }
      return out;
    }
    for (int ch = 0; ch < c; ch++) {
      for (int x = 0; x < w; x++) {
        double omega = Math.acos(dot[ch * w + x]);
        double so = Math.sin(omega);
        double a = Math.sin((1 - t) * omega) / so;
        double b = Math.sin(t * omega) / so;
        for (int y = 0; y < h; y++) {
          int i = (ch * h + y) * w + x;
          out[i] = (float) (a * low[i] + b * high[i]);
        }
      }
    }
    return out;
  }
}

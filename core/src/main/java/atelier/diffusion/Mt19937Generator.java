package atelier.diffusion;

/**
 * PyTorch's CPU generator: an mt19937 engine seeded with the low 32 bits of the seed, and the two
 * normal samplers {@code torch.randn} uses on it. For 16 values or more torch fills float uniforms
 * and transforms them with Box–Muller in blocks of 16 ({@code normal_fill} in
 * aten/src/ATen/native/cpu/DistributionTemplates.h); for fewer it draws each value from the
 * double-precision {@code normal_distribution} (aten/src/ATen/core/DistributionsHelper.h), which
 * makes two normals from two 53-bit uniforms and caches the second for the next draw. The cache
 * lives in the generator and survives calls in between, as in torch.
 *
 * <p>Torch's AVX2 kernel approximates log/sin/cos in its vectorised fill, so values agree to about
 * 2e-6, not bit for bit; the double path agrees exactly. Stateful, not thread-safe.
 */
public final class Mt19937Generator implements TorchGenerator {
  private static final int N = 624;
  private static final int M = 397;
  private static final float TWO_POW_MINUS_24 = 0x1p-24f;
  private static final double TWO_POW_MINUS_53 = 0x1p-53;

  private final long seed;
  private final int[] state = new int[N];
  private int next = N;
  private boolean hasCachedNormal;
  private double cachedNormal;

  /** A generator as {@code torch.Generator().manual_seed(seed)} leaves it. */
  public Mt19937Generator(long seed) {
    this.seed = seed;
    state[0] = (int) seed; // torch: mt19937(seed) keeps seed & 0xffffffff
    for (int i = 1; i < N; i++) {
      int prev = state[i - 1];
      state[i] = 1812433253 * (prev ^ (prev >>> 30)) + i;
    }
  }

  @Override
  public long seed() {
    return seed;
  }

  @Override
  public float[] randn(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("randn: expected n >= 0, found " + n);
    }
    float[] out = new float[n];
    if (n >= 16) {
      fillNormal(out);
    } else {
      for (int i = 0; i < n; i++) {
        out[i] = (float) nextDoubleNormal();
      }
    }
    return out;
  }

  /** The next 32-bit output of the engine (standard mt19937 tempering), as an unsigned value. */
  int nextInt() {
    if (next >= N) {
      twist();
    }
    int y = state[next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  private void twist() {
    for (int k = 0; k < N; k++) {
      int y = (state[k] & 0x80000000) | (state[(k + 1) % N] & 0x7fffffff);
      int mag = (y & 1) != 0 ? 0x9908b0df : 0;
      state[k] = state[(k + M) % N] ^ (y >>> 1) ^ mag;
    }
    next = 0;
  }

  private float nextFloatUniform() {
    return (nextInt() & 0xffffff) * TWO_POW_MINUS_24;
  }

  private double nextDoubleUniform() {
    // torch's random64(): the first 32-bit draw is the high word.
    long hi = nextInt() & 0xffffffffL;
    long lo = nextInt() & 0xffffffffL;
    return (((hi << 32) | lo) & ((1L << 53) - 1)) * TWO_POW_MINUS_53;
  }

  private double nextDoubleNormal() {
    if (hasCachedNormal) {
      hasCachedNormal = false;
      return cachedNormal;
    }
    double u1 = nextDoubleUniform();
    double u2 = nextDoubleUniform();
    // torch 1.13 writes log(1 - u2), newer versions log1p(-u2): equal after the cast to float
    // except at rare rounding ties.
    double r = Math.sqrt(-2.0 * Math.log1p(-u2));
    double theta = 2.0 * Math.PI * u1;
    cachedNormal = r * Math.sin(theta);
    hasCachedNormal = true;
    return r * Math.cos(theta);
  }

  private void fillNormal(float[] data) {
    int n = data.length;
    for (int i = 0; i < n; i++) {
      data[i] = nextFloatUniform();
    }
    for (int i = 0; i + 16 <= n; i += 16) {
      boxMuller16(data, i);
    }
    if (n % 16 != 0) {
      // torch redraws the last 16 slots (overlapping the last full block) and transforms again
      int start = n - 16;
      for (int i = 0; i < 16; i++) {
        data[start + i] = nextFloatUniform();
      }
      boxMuller16(data, start);
    }
  }

  private static void boxMuller16(float[] d, int off) {
    for (int j = 0; j < 8; j++) {
      float u1 = 1 - d[off + j]; // [0, 1) -> (0, 1] for the log
      float u2 = d[off + j + 8];
      float radius = (float) Math.sqrt(-2 * (float) Math.log(u1));
      float theta = (float) (2.0 * Math.PI * u2);
      d[off + j] = radius * (float) Math.cos(theta);
      d[off + j + 8] = radius * (float) Math.sin(theta);
    }
  }
}

package atelier.pipeline;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * The latent→RGB linear map AUTOMATIC1111 calls "Approx cheap" for SD 1.x/2.x latents: rgb = Σ_c
 * latent_c · W[c], then (rgb + 1) / 2 clamped to [0, 1]. The weights are the ones A1111 uses
 * (modules/sd_vae_approx.py, from a least-squares fit of decoded colours on latents). Stateless.
 */
final class CheapLatentPreview implements LatentPreview {
  /** W[c][rgb]: the contribution of latent channel c to red, green and blue. */
  static final float[][] WEIGHTS = {
    {0.298f, 0.207f, 0.208f},
    {0.187f, 0.286f, 0.173f},
    {-0.158f, 0.189f, 0.264f},
    {-0.184f, -0.271f, -0.473f},
  };

  private final int upscale;

  CheapLatentPreview(int upscale) {
    if (upscale < 1 || upscale > 8) {
      throw new IllegalArgumentException("preview upscale: expected 1 to 8, found " + upscale);
    }
    this.upscale = upscale;
  }

  @Override
  public BufferedImage preview(float[] latents, int channels, int height, int width) {
    if (channels != WEIGHTS.length) {
      throw new IllegalArgumentException(
          "cheap latent preview: expected " + WEIGHTS.length + " channels, found " + channels);
    }
    int plane = height * width;
    if (height < 1 || width < 1 || latents.length != channels * plane) {
      throw new IllegalArgumentException(
          "cheap latent preview: expected "
              + channels
              + "×"
              + height
              + "×"
              + width
              + " latents, found "
              + latents.length
              + " values");
    }
    BufferedImage small = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        int rgb = 0;
        for (int k = 0; k < 3; k++) {
          float v = 0;
          for (int c = 0; c < channels; c++) {
            v += latents[c * plane + i] * WEIGHTS[c][k];
          }
          rgb = (rgb << 8) | to8bit(v);
        }
        small.setRGB(x, y, rgb);
      }
    }
    if (upscale == 1) {
      return small;
    }
    BufferedImage big =
        new BufferedImage(width * upscale, height * upscale, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = big.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(small, 0, 0, big.getWidth(), big.getHeight(), null);
    } finally {
      g.dispose();
    }
    return big;
  }

  /** [-1, 1] → [0, 255], clamped, truncated as A1111's {@code astype(np.uint8)} does. */
  static int to8bit(float v) {
    float u = v * 0.5f + 0.5f;
    u = Math.max(0f, Math.min(1f, u));
    return (int) (255f * u);
  }
}

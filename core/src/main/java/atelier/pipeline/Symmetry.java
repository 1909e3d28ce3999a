package atelier.pipeline;

/**
 * Disco Diffusion's symmetry, applied to the latents: during the first {@code fraction} of the
 * steps, after each step, one half of the latents is replaced by the mirror image of the other
 * (left onto right for horizontal, top onto bottom for vertical). The remaining steps run free, so
 * details may differ between the halves while the composition stays symmetric.
 *
 * @param horizontal mirror across the vertical axis (left ↔ right)
 * @param vertical mirror across the horizontal axis (top ↔ bottom)
 * @param fraction share of the steps with mirroring, in (0, 1]
 */
public record Symmetry(boolean horizontal, boolean vertical, double fraction) {
  public Symmetry {
    if (!horizontal && !vertical) {
      throw new IllegalArgumentException(
          "symmetry: expected horizontal and/or vertical mirroring, found neither");
    }
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException(
          "symmetry fraction: expected a share of the steps in (0, 1], found " + fraction);
    }
  }

  /** Mirrors one image's latents {@code [channels, height, width]} in place. */
  public void apply(float[] latents, int channels, int height, int width) {
    for (int c = 0; c < channels; c++) {
      int base = c * height * width;
      if (horizontal) {
        for (int y = 0; y < height; y++) {
          int row = base + y * width;
          for (int x = 0; x < width / 2; x++) {
            latents[row + width - 1 - x] = latents[row + x];
          }
        }
      }
      if (vertical) {
        for (int y = 0; y < height / 2; y++) {
          System.arraycopy(
              latents, base + y * width, latents, base + (height - 1 - y) * width, width);
        }
      }
    }
  }

  /**
   * Whether mirroring applies once {@code stepsDone} of {@code steps} steps are done (0: the
   * starting latents).
   */
  public boolean activeAfter(int stepsDone, int steps) {
    return stepsDone <= Math.round(fraction * steps);
  }
}

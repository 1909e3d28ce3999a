package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.Progress;
import atelier.ProgressListener;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cheap latent preview against A1111's formula worked by hand, and the listener binding. */
class LatentPreviewTest {
  static int[] rgb(BufferedImage img, int x, int y) {
    int v = img.getRGB(x, y);
    return new int[] {(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff};
  }

  @Test
  void eachPixelIsTheFixedLinearMapOfItsLatentVectorFromMinusOneOneToBytes() {
    // 2×3 latents, 4 channels, NCHW: pixel (x=1, y=0) holds (1, 0, 0, 0), pixel (2, 1) holds
    // (0.5, -1, 2, 0.25), pixel (0, 1) is far out of range, the rest are zero.
    int h = 2;
    int w = 3;
    float[] lat = new float[4 * h * w];
    lat[0 * 6 + 1] = 1f;
    float[] v = {0.5f, -1f, 2f, 0.25f};
    for (int c = 0; c < 4; c++) {
      lat[c * 6 + 5] = v[c];
      lat[c * 6 + 3] = c == 3 ? -20f : 20f;
    }
    BufferedImage img = LatentPreview.cheap(1).preview(lat, 4, h, w);
    assertThat(img.getWidth()).isEqualTo(3);
    assertThat(img.getHeight()).isEqualTo(2);
    // Zero latents: 0.5 · 255 = 127.5, truncated.
    assertThat(rgb(img, 0, 0)).containsExactly(127, 127, 127);
    // (1, 0, 0, 0): r = (0.298 + 1) / 2 · 255 = 165.495, g = (0.207 + 1) / 2 · 255 = 153.9,
    // b = (0.208 + 1) / 2 · 255 = 154.0.
    assertThat(rgb(img, 1, 0)).containsExactly(165, 153, 154);
    // (0.5, -1, 2, 0.25): r = 0.149 - 0.187 - 0.316 - 0.046 = -0.400 → 76.5;
    // g = 0.1035 - 0.286 + 0.378 - 0.06775 = 0.12775 → 143.8; b = 0.104 - 0.173 + 0.528 - 0.11825 =
    // 0.34075 → 170.9.
    assertThat(rgb(img, 2, 1)).containsExactly(76, 143, 170);
    // Far out of range: clamped.
    assertThat(rgb(img, 0, 1)).containsExactly(255, 255, 255);
  }

  @Test
  void itIsEnlargedAndRefusesOtherShapes() {
    BufferedImage img = LatentPreview.cheap(2).preview(new float[4 * 8 * 6], 4, 8, 6);
    assertThat(img.getWidth()).isEqualTo(12);
    assertThat(img.getHeight()).isEqualTo(16);
    assertThat(rgb(img, 11, 15)).containsExactly(127, 127, 127);
    assertThatThrownBy(() -> LatentPreview.cheap(1).preview(new float[4 * 4], 4, 2, 3))
        .hasMessage("cheap latent preview: expected 4×2×3 latents, found 16 values");
    assertThatThrownBy(() -> LatentPreview.cheap(1).preview(new float[16], 16, 1, 1))
        .hasMessage("cheap latent preview: expected 4 channels, found 16");
    assertThatThrownBy(() -> LatentPreview.cheap(9)).hasMessageContaining("1 to 8");
  }

  @Test
  void aBoundListenerHearsTheLatentsAfterEachDenoisingStepOnly() {
    List<String> heard = new ArrayList<>();
    float[] latents = new float[4];
    LatentsListener l =
        new LatentsListener() {
          @Override
          public void onProgress(Progress p) {
            heard.add(p.stage() + " " + p.step());
          }

          @Override
          public void onLatents(float[] lat, int c, int h, int w, Progress p) {
            heard.add("latents " + lat[0] + " " + c + "x" + h + "x" + w + " at " + p.step());
          }
        };
    ProgressListener bound = LatentsListener.bind(l, latents, 4, 1, 1);
    latents[0] = 3f;
    bound.onProgress(new Progress(Progress.Stage.DENOISE, 0, 2, 0, 1, Duration.ZERO));
    bound.onProgress(new Progress(Progress.Stage.DENOISE, 1, 2, 0, 1, Duration.ZERO));
    latents[0] = 4f;
    bound.onProgress(new Progress(Progress.Stage.DENOISE, 2, 2, 0, 1, Duration.ZERO));
    bound.onProgress(new Progress(Progress.Stage.DECODE, 1, 1, 0, 1, Duration.ZERO));
    assertThat(heard)
        .containsExactly(
            "DENOISE 0",
            "DENOISE 1",
            "latents 3.0 4x1x1 at 1",
            "DENOISE 2",
            "latents 4.0 4x1x1 at 2",
            "DECODE 1");
    ProgressListener plain = p -> {};
    assertThat(LatentsListener.bind(plain, latents, 4, 1, 1)).isSameAs(plain);
  }
}

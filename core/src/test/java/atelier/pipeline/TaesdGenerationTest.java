package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.diffusion.SchedulerKind;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.testing.TestPaths;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/**
 * A generation decoded with TAESD on the tiny SD 1.5 model: the same latents as with the VAE (the
 * decoder only changes the last step), and every pixel is the tiny TAESD's decode of the final
 * latents at scale 1 (checked with a second decoder opened on the same graph), within one level.
 */
class TaesdGenerationTest {

  private static Artwork generate(StableDiffusion sd) {
    GenerationRequest r =
        GenerationRequest.builder("a lighthouse")
            .size(64, 48)
            .steps(2)
            .scheduler(SchedulerKind.EULER)
            .seed(9L)
            .build();
    return sd.generate(r, ProgressListener.NONE, CancelToken.NONE).images().get(0);
  }

  @Test
  void taesdDecodesTheSameLatentsAndSaysSoInTheRecord() {
    try (StableDiffusion sd =
            StableDiffusion.load(TestPaths.tinyModel("sd15-optimum-1.22"), SessionSettings.CPU);
        TaesdDecoder check = TaesdDecoder.open(TaesdDecoderTest.DIR, SessionSettings.CPU)) {
      Artwork vae = generate(sd);
      sd.decodeWith(TaesdDecoder.open(TaesdDecoderTest.DIR, SessionSettings.CPU));
      Artwork tiny = generate(sd);

      assertThat(tiny.latents()).containsExactly(vae.latents());
      assertThat(tiny.record().warnings()).anyMatch(n -> n.startsWith("decoded with TAESD "));
      assertThat(vae.record().warnings()).noneMatch(n -> n.contains("TAESD"));

      float[] lat = vae.latents().clone();
      // Artwork.latents are before the VAE scaling is undone, i.e. the sampler's: TAESD's input.
      float[] px = check.decode(Tensor.floats(lat, 1, 4, 6, 8)).floatData();
      BufferedImage img = tiny.image();
      assertThat(img.getWidth()).isEqualTo(64);
      assertThat(img.getHeight()).isEqualTo(48);
      int plane = 64 * 48;
      int differFromVae = 0;
      for (int y = 0; y < 48; y++) {
        for (int x = 0; x < 64; x++) {
          int rgb = img.getRGB(x, y);
          int i = y * 64 + x;
          for (int c = 0; c < 3; c++) {
            int want = Math.round(255f * Math.max(0f, Math.min(1f, px[c * plane + i])));
            int got = (rgb >> (16 - 8 * c)) & 255;
            assertThat(Math.abs(got - want)).as("pixel %d,%d channel %d", x, y, c).isLessThan(2);
          }
          if (rgb != vae.image().getRGB(x, y)) {
            differFromVae++;
          }
        }
      }
      assertThat(differFromVae).isGreaterThan(plane / 2);
    }
  }
}

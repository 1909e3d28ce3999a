package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.testing.TinyGraphs;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Tiled decoding against whole decoding with a purely local "decoder" (a 1×1 convolution 4→3 and
 * nearest ×8 upsampling, built by hand): with no cross-tile context, tiles blended with weights
 * that sum to one must give the whole decode back.
 */
class VaeDecoderTilingTest {

  private static VaeDecoder localDecoder() {
    float[] w = new float[12];
    for (int i = 0; i < 12; i++) {
      w[i] = (i % 5 - 2) * 0.25f;
    }
    byte[] graph =
        new TinyGraphs()
            .input("latent_sample", 4)
            .initializer("w", w, 3, 4, 1, 1)
            .initializer("roi", new float[0], 0)
            .initializer("scales", new float[] {1, 1, 8, 8}, 4)
            .node("Conv", new String[] {"latent_sample", "w"}, "c")
            .node(
                "Resize",
                new String[] {"c", "roi", "scales"},
                "sample",
                TinyGraphs.stringAttr("mode", "nearest"))
            .output("sample", 4)
            .build();
    return new VaeDecoder(
        OnnxModel.open("vae_decoder", graph, Path.of("local.onnx"), SessionSettings.CPU));
  }

  @Test
  void tilesBlendBackToTheWholeDecode() {
    try (VaeDecoder d = localDecoder()) {
      int h = 150;
      int w = 97;
      float[] lat = new float[4 * h * w];
      Random r = new Random(1);
      for (int i = 0; i < lat.length; i++) {
        lat[i] = (float) r.nextGaussian();
      }
      Tensor latents = Tensor.floats(lat, 1, 4, h, w);
      float[] whole = d.decode(latents).floatData();
      float[] tiled = d.decodeTiled(latents).floatData();
      assertThat(tiled).hasSize(whole.length);
      for (int i = 0; i < whole.length; i++) {
        assertThat(Math.abs(tiled[i] - whole[i])).as("index %d", i).isLessThan(1e-5f);
      }
    }
  }

  @Test
  void tileStartsCoverTheAxisAndEndFlush() {
    assertThat(VaeDecoder.starts(64)).containsExactly(0);
    assertThat(VaeDecoder.starts(100)).containsExactly(0, 36);
    assertThat(VaeDecoder.starts(150)).containsExactly(0, 48, 86);
    assertThat(VaeDecoder.needsTiles(128, 128)).isFalse();
    assertThat(VaeDecoder.needsTiles(129, 128)).isTrue();
  }
}

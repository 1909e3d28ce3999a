package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Conformance of the attention rewrite: the fused tiny UNets and VAE decoder compute what the
 * originals do (to 1e-4), in ONNX Runtime, with every attention block fused.
 */
class AttentionFusionTest {
  private static final Path MODELS = Path.of("src/test/resources/models");
  private static final SessionSettings PLAIN =
      SessionSettings.CPU.withoutGraphCache().withFusedAttention(false);
  private static final SessionSettings FUSED = PLAIN.withFusedAttention(true);

  @Test
  void fusesEveryAttentionOfTheUnetAndComputesTheSame() {
    Path unet = MODELS.resolve("sd15-optimum-1.22/unet/model.onnx");
    Map<String, Tensor> feed = unetFeed(Tensor.longs(new long[] {500}, 1), 16);
    try (OnnxModel plain = OnnxModel.open("unet", unet, PLAIN);
        OnnxModel fused = OnnxModel.open("unet", unet, FUSED)) {
      assertThat(plain.fusedAttentions()).isZero();
      assertThat(fused.fusedAttentions()).isEqualTo(8); // self- and cross-attention, 4 blocks
      assertClose(fused.run(feed, "out_sample"), plain.run(feed, "out_sample"), "out_sample");
    }
  }

  @Test
  void fusesTheSd21UnetWithItsOwnHeadCount() {
    Path unet = MODELS.resolve("sd21v-optimum/unet/model.onnx");
    Map<String, Tensor> feed = unetFeed(Tensor.floats(new float[] {500}), 24);
    try (OnnxModel plain = OnnxModel.open("unet", unet, PLAIN);
        OnnxModel fused = OnnxModel.open("unet", unet, FUSED)) {
      assertThat(fused.fusedAttentions()).isEqualTo(8);
      assertClose(fused.run(feed, "out_sample"), plain.run(feed, "out_sample"), "out_sample");
    }
  }

  @Test
  void fusesTheVaeDecodersSingleHeadAttention() {
    Path vae = MODELS.resolve("sd15-optimum-1.22/vae_decoder/model.onnx");
    Map<String, Tensor> feed =
        Map.of("latent_sample", Tensor.floats(wave(4 * 8 * 8, 0.29), 1, 4, 8, 8));
    try (OnnxModel plain = OnnxModel.open("vae_decoder", vae, PLAIN);
        OnnxModel fused = OnnxModel.open("vae_decoder", vae, FUSED)) {
      assertThat(fused.fusedAttentions()).isEqualTo(1);
      assertClose(fused.run(feed, "sample"), plain.run(feed, "sample"), "sample");
    }
  }

  @Test
  void leavesTheTextEncodersMaskedAttentionAlone() throws IOException {
    // CLIP adds a causal mask to the scores: not the pattern, so nothing changes.
    byte[] clip = Files.readAllBytes(MODELS.resolve("sd15-optimum-1.22/text_encoder/model.onnx"));
    assertThat(AttentionFusion.fuse(clip)).isEmpty();
  }

  @Test
  void leavesFloat16GraphsAlone() throws IOException {
    // The scale constant of an fp16 export is float16: not matched, the graph runs as exported.
    byte[] olive = Files.readAllBytes(MODELS.resolve("sd15-olive-fp16/unet/model.onnx"));
    assertThat(AttentionFusion.fuse(olive)).isEmpty();
  }

  @Test
  void rejectsBytesThatAreNoModel() {
    assertThatThrownBy(() -> AttentionFusion.fuse(new byte[] {(byte) 0xff, 1, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not an ONNX model");
  }

  private static Map<String, Tensor> unetFeed(Tensor timestep, int hidden) {
    return Map.of(
        "sample", Tensor.floats(wave(2 * 4 * 8 * 8, 0.37), 2, 4, 8, 8),
        "timestep", timestep,
        "encoder_hidden_states", Tensor.floats(wave(2 * 7 * hidden, 0.11), 2, 7, hidden));
  }

  private static float[] wave(int n, double step) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) Math.sin(i * step);
    }
    return a;
  }

  private static void assertClose(
      Map<String, Tensor> fused, Map<String, Tensor> plain, String output) {
    float[] f = fused.get(output).floatData();
    float[] p = plain.get(output).floatData();
    assertThat(f).hasSameSizeAs(p);
    double worst = 0;
    for (int i = 0; i < p.length; i++) {
      worst = Math.max(worst, Math.abs(f[i] - p[i]));
    }
    assertThat(worst).as("largest difference").isLessThan(1e-4);
  }
}

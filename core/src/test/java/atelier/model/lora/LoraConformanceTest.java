package atelier.model.lora;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.pipeline.StableDiffusion;
import atelier.testing.Golden;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LoRA merged at load against the PyTorch reference ({@code tools/lora/make_tiny_lora.py}: the tiny
 * SD 1.x text encoder and UNet with every ΔW = up @ down × alpha/rank × 0.8 merged into the torch
 * modules the ONNX files were exported from, run on fixed inputs): within 1e-4 of the outputs'
 * largest magnitude, the tolerance between ONNX Runtime and PyTorch for these models.
 */
class LoraConformanceTest {
  static Path dir;
  static JsonNode manifest;
  static Path model;

  @BeforeAll
  static void read() throws IOException {
    dir = TestPaths.repoRoot().resolve("core/src/test/resources/lora");
    manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    model = TestPaths.tinyModel(manifest.get("model").asText());
  }

  static float[] f32(String name) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(name)));
    float[] f = new float[b.remaining() / 4];
    b.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return f;
  }

  static List<LoraUse> tinyLora(double weight) {
    return List.of(new LoraUse("tiny-sd15", dir.resolve(manifest.get("lora").asText()), weight));
  }

  static float[] unet(StableDiffusion sd) throws IOException {
    JsonNode u = manifest.get("unet");
    Tensor sample = Tensor.floats(f32(u.get("sample").asText()), 1, 4, 8, 8);
    Tensor hidden = Tensor.floats(f32(u.get("hidden").asText()), 1, 77, 16);
    return sd.unet().predict(sample, u.get("timestep").asInt(), hidden, null).floatData();
  }

  static float[] text(StableDiffusion sd) {
    int[] ids = new int[77];
    JsonNode list = manifest.get("text").get("ids");
    for (int i = 0; i < ids.length; i++) {
      ids[i] = list.get(i).asInt();
    }
    return sd.textEncoder().encode(List.of(ids)).get(0);
  }

  static void assertClose(float[] actual, float[] expected) {
    assertThat(Golden.maxDiff(actual, expected)).isLessThan(1e-4f * Golden.maxAbs(expected));
  }

  @Test
  void patchedSessionsMatchTheTorchMerge() throws IOException {
    try (StableDiffusion sd = StableDiffusion.load(model, SessionSettings.CPU, tinyLora(0.8))) {
      assertThat(sd.loras()).hasSize(1);
      LoraMatch m = sd.loras().get(0);
      assertThat(m.matched()).isEqualTo(76).isEqualTo(m.modules());
      assertThat(m.unmatched()).isEmpty();
      float[] unetOut = unet(sd);
      assertClose(unetOut, f32("unet-merged.f32"));
      assertClose(text(sd), f32("text-merged.f32"));
      // The LoRA changes the outputs far beyond the tolerance (the test can fail).
      assertThat(Golden.maxDiff(unetOut, f32("unet-plain.f32")))
          .isGreaterThan(1e-2f * Golden.maxAbs(f32("unet-plain.f32")));
    }
  }

  @Test
  void thePlainModelMatchesTheTorchPlainOutputs() throws IOException {
    try (StableDiffusion sd = StableDiffusion.load(model, SessionSettings.CPU)) {
      assertClose(unet(sd), f32("unet-plain.f32"));
      assertClose(text(sd), f32("text-plain.f32"));
    }
  }

  static int[] ids() {
    int[] ids = new int[77];
    JsonNode list = manifest.get("text").get("ids");
    for (int i = 0; i < ids.length; i++) {
      ids[i] = list.get(i).asInt();
    }
    return ids;
  }

  @Test
  void clipSkipKeepsTheLorasTextEncoderWeights() {
    float[] plain;
    try (StableDiffusion sd = StableDiffusion.load(model, SessionSettings.CPU)) {
      plain = sd.textEncoder().encode(List.of(ids()), 2).get(0);
    }
    try (StableDiffusion sd = StableDiffusion.load(model, SessionSettings.CPU, tinyLora(0.8))) {
      // The clip-skip graph is a second session: it must be made from the patched graph too.
      float[] merged = sd.textEncoder().encode(List.of(ids()), 2).get(0);
      assertThat(Golden.maxDiff(merged, plain)).isGreaterThan(1e-2f * Golden.maxAbs(plain));
    }
    try (StableDiffusion sd = StableDiffusion.load(model, SessionSettings.CPU, tinyLora(0))) {
      assertThat(sd.textEncoder().encode(List.of(ids()), 2).get(0)).containsExactly(plain);
    }
  }

  @Test
  void weightZeroGivesThePlainModel() throws IOException {
    float[] plainUnet;
    float[] plainText;
    try (StableDiffusion sd = StableDiffusion.load(model, SessionSettings.CPU)) {
      plainUnet = unet(sd);
      plainText = text(sd);
    }
    try (StableDiffusion sd = StableDiffusion.load(model, SessionSettings.CPU, tinyLora(0))) {
      assertThat(sd.loras().get(0).matched()).isEqualTo(76);
      assertThat(unet(sd)).containsExactly(plainUnet);
      assertThat(text(sd)).containsExactly(plainText);
    }
  }

  @Test
  void everyUnetAndTextModuleOfTheTinyModelIsATarget() {
    LoraTargets unet =
        LoraTargets.of(OnnxWeights.read(model.resolve("unet/model.onnx")), "lora_unet_");
    assertThat(unet.all())
        .containsKeys(
            "lora_unet_down_blocks_0_attentions_0_proj_in",
            "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q",
            "lora_unet_up_blocks_1_attentions_0_transformer_blocks_0_attn2_to_out_0",
            "lora_unet_up_blocks_1_attentions_1_transformer_blocks_0_ff_net_0_proj",
            "lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_k",
            "lora_unet_up_blocks_0_resnets_1_conv2");
    assertThat(
            unet.get("lora_unet_up_blocks_1_attentions_0_transformer_blocks_0_attn1_to_q").layout())
        .isEqualTo(LoraTargets.Layout.TRANSPOSED);
    LoraTargets text =
        LoraTargets.of(OnnxWeights.read(model.resolve("text_encoder/model.onnx")), "lora_te_");
    assertThat(text.all())
        .containsKeys(
            "lora_te_text_model_encoder_layers_0_self_attn_q_proj",
            "lora_te_text_model_encoder_layers_1_mlp_fc2");
  }

  /**
   * Every Linear and Conv module of the torch models (95; LCM's guidance projection makes 96) is a
   * target in every exporter layout; the module ↔ weight pairs were checked by value against the
   * torch parameters of tools/tiny_spec.py when this test was written.
   */
  @ParameterizedTest
  @CsvSource({"sd15-optimum-1.22,95", "sd15-diffusers,95", "sd21v-optimum,95", "lcm-optimum,96"})
  void everyLinearAndConvModuleIsATargetInEveryLayout(String name, int modules) {
    Path m = TestPaths.tinyModel(name);
    int unet = LoraTargets.of(OnnxWeights.read(m.resolve("unet/model.onnx")), "lora_unet_").size();
    int text =
        LoraTargets.of(OnnxWeights.read(m.resolve("text_encoder/model.onnx")), "lora_te_").size();
    assertThat(unet + text).isEqualTo(modules);
  }

  @Test
  void fullScopeNodeNamesOfRealExportsMapDirectly() {
    List<String> named = List.of("down_blocks.0.attentions.0.proj_in");
    assertThat(
            LoraTargets.moduleFromNodeName(
                "/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q/MatMul", named))
        .isEqualTo("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q");
    assertThat(
            LoraTargets.moduleFromNodeName(
                "/text_model/encoder/layers.0/self_attn/q_proj/MatMul",
                List.of("text_model.encoder.layers.0.layer_norm1")))
        .isEqualTo("text_model.encoder.layers.0.self_attn.q_proj");
    assertThat(
            LoraTargets.moduleFromNodeName(
                "/attentions.0/transformer_blocks.0/attn1/to_out.0_1/MatMul",
                List.of("down_blocks.0.attentions.0.proj_in", "up_blocks.1.attentions.0.proj_in")))
        .isEqualTo("up_blocks.1.attentions.0.transformer_blocks.0.attn1.to_out.0");
  }
}

package atelier.model.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.model.SafeTensors;
import atelier.model.SafeTensors.DType;
import atelier.model.SafeTensorsWriter;
import atelier.testing.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA files that do not fit: refused with one line naming the file, what was expected and found.
 */
class LoraBadInputTest {
  @TempDir Path tmp;

  static final Path SD15 = TestPaths.tinyModel("sd15-optimum-1.22");
  static final Path TINY_LORA =
      TestPaths.repoRoot().resolve("core/src/test/resources/lora/tiny-sd15.safetensors");

  static LoraPatch.Result apply(Path model, Path lora) {
    return LoraPatch.apply(
        model.resolve("text_encoder/model.onnx"),
        model.resolve("unet/model.onnx"),
        List.of(new LoraUse("test", lora, 1.0)));
  }

  Path write(String name, String... keys) throws IOException {
    SafeTensorsWriter w = new SafeTensorsWriter();
    for (String k : keys) {
      boolean up = k.endsWith("lora_up.weight");
      w.add(k, DType.F32, up ? new long[] {16, 4} : new long[] {4, 16}, new float[64]);
    }
    Path f = tmp.resolve(name);
    w.write(f);
    return f;
  }

  @Test
  void anSdxlLoraOnSd15SaysHowFewModulesMatched() throws IOException {
    Path f =
        write(
            "sdxl.safetensors",
            "lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_down.weight",
            "lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_up.weight",
            "lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight",
            "lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight");
    assertThatThrownBy(() -> apply(SD15, f))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("lora test (" + f + ")")
        .hasMessageContaining("found only 0 of 2 modules matching")
        .hasMessageContaining("another architecture")
        .hasMessageContaining("lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q");
  }

  @Test
  void modulesOfAnotherShapeAreReportedWithTheirShapes() {
    // The tiny SD 2 model shares the UNet's channel widths with the tiny SD 1 model; only the text
    // encoder (24 wide) and the cross-attention keys and values differ, so 56 modules fit.
    LoraMatch m = apply(TestPaths.tinyModel("sd21v-optimum"), TINY_LORA).matches().get(0);
    assertThat(m.matched()).isEqualTo(56);
    assertThat(m.unmatched())
        .hasSize(20)
        .contains(
            "lora_te_text_model_encoder_layers_0_self_attn_q_proj (down [4, 16], up [16, 4] do"
                + " not fit weight [24, 24])",
            "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k (down [4, 16],"
                + " up [16, 4] do not fit weight [24, 16])");
  }

  @Test
  void lycorisFormatsAreRefusedByName() throws IOException {
    Path f =
        write(
            "loha.safetensors",
            "lora_unet_down_blocks_0_attentions_0_proj_in.hada_w1_a",
            "lora_unet_down_blocks_0_attentions_0_proj_in.hada_w1_b");
    assertThatThrownBy(() -> LoraFile.open(f))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "lora "
                + f
                + ": expected a kohya/A1111 LoRA (lora_down/lora_up weights), found a LyCORIS"
                + " LoHa file (key lora_unet_down_blocks_0_attentions_0_proj_in.hada_w1_a);"
                + " only plain LoRA is supported");
  }

  @Test
  void aSafetensorsFileWithoutLoraKeysIsRefused() throws IOException {
    SafeTensorsWriter w = new SafeTensorsWriter();
    w.add("model.diffusion_model.out.2.weight", DType.F32, new long[] {2}, new float[2]);
    Path f = tmp.resolve("checkpoint.safetensors");
    w.write(f);
    assertThatThrownBy(() -> LoraFile.open(f))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected kohya LoRA keys")
        .hasMessageContaining("model.diffusion_model.out.2.weight");
  }

  @Test
  void aFileThatIsNotSafetensorsIsABadRequest() throws IOException {
    Path f = tmp.resolve("notes.safetensors");
    Files.writeString(f, "hello");
    assertThatThrownBy(() -> apply(SD15, f)).isInstanceOf(BadRequestException.class);
  }

  @Test
  void unknownModulesAreReportedNotFatalAndTe1NamesMatch() throws IOException {
    SafeTensorsWriter w = new SafeTensorsWriter();
    try (SafeTensors src = SafeTensors.open(TINY_LORA)) {
      for (String k : src.tensors().keySet()) {
        String renamed = k.replace("lora_te_", "lora_te1_");
        w.add(renamed, DType.F32, src.info(k).shape(), src.readFloats(k));
      }
    }
    w.add(
        "lora_unet_no_such_module.lora_down.weight", DType.F32, new long[] {4, 16}, new float[64]);
    w.add("lora_unet_no_such_module.lora_up.weight", DType.F32, new long[] {16, 4}, new float[64]);
    w.add("lora_unet_orphan.lora_up.weight", DType.F32, new long[] {16, 4}, new float[64]);
    Path f = tmp.resolve("extra.safetensors");
    w.write(f);
    LoraMatch m = apply(SD15, f).matches().get(0);
    assertThat(m.matched()).isEqualTo(76);
    assertThat(m.modules()).isEqualTo(77);
    assertThat(m.unmatched())
        .containsExactly(
            "lora_unet_no_such_module (no such module in this model)",
            "lora_unet_orphan.lora_up.weight (not a LoRA module key)");
    assertThat(m.summary())
        .isEqualTo(
            "lora test: 76 of 77 modules matched; not applied: lora_unet_no_such_module (no such"
                + " module in this model), lora_unet_orphan.lora_up.weight (not a LoRA module key)");
  }

  @Test
  void aWeightOutOfRangeIsRefused() {
    assertThatThrownBy(() -> new LoraUse("style", TINY_LORA, 50))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("lora style: expected a weight from -10 to 10, found 50.0");
  }
}

package atelier.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.CancelToken;
import atelier.model.ModelFamily;
import atelier.model.OnnxModel;
import atelier.model.SafeTensors;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.testing.TestPaths;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tiny checkpoints in the LDM single-file naming ({@code tools/checkpoint/make_checkpoints.py}),
 * converted through the tiny templates, give each stage's torch outputs to 1e-4 of the largest
 * magnitude.
 */
class CheckpointConformanceTest {
  @TempDir Path tmp;

  static Path checkpoints() {
    return TestPaths.repoRoot().resolve("core/src/test/resources/checkpoints");
  }

  /** Converts a checkpoint of the test resources into {@code folder}. */
  static CheckpointPlan convert(String file, String family, Path folder) throws Exception {
    try (SafeTensors st = SafeTensors.open(checkpoints().resolve(file))) {
      CheckpointPlan plan =
          CheckpointPlan.inspect(st, null, family, CheckpointTemplate.available());
      CheckpointConverter.write(plan, folder, (f, b, t) -> {}, CancelToken.NONE);
      return plan;
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "tiny-sd1.safetensors, sd1, ''",
    "tiny-sd1-fp16.safetensors, sd1, fp16.",
    "tiny-sd2-v.safetensors, sd2-v, ''"
  })
  void everyStageGivesTheTorchOutputs(String file, String family, String prefix) throws Exception {
    Path folder = tmp.resolve("model");
    CheckpointPlan plan = convert(file, null, folder);
    assertThat(plan.family()).isEqualTo(ModelFamily.lookup(family));
    assertThat(plan.unused()).isEmpty();
    String base = file.replace("-fp16", "").replace(".safetensors", "");
    try (SafeTensors ref =
        SafeTensors.open(checkpoints().resolve(base + ".reference.safetensors"))) {
      float[] idsF = ref.readFloats("text_encoder.input_ids");
      long[] ids = new long[idsF.length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = (long) idsF[i];
      }
      check(
          folder,
          "text_encoder",
          Map.of("input_ids", Tensor.longs(ids, 1, ids.length)),
          "last_hidden_state",
          ref,
          prefix);
      check(
          folder,
          "unet",
          Map.of(
              "sample", tensor(ref, "unet.sample"),
              "timestep", Tensor.floats(ref.readFloats("unet.timestep")),
              "encoder_hidden_states", tensor(ref, "unet.encoder_hidden_states")),
          "out_sample",
          ref,
          prefix);
      check(
          folder,
          "vae_decoder",
          Map.of("latent_sample", tensor(ref, "vae_decoder.latent_sample")),
          "sample",
          ref,
          prefix);
      check(
          folder,
          "vae_encoder",
          Map.of("sample", tensor(ref, "vae_encoder.sample")),
          "latent_parameters",
          ref,
          prefix);
    }
  }

  static Tensor tensor(SafeTensors ref, String name) {
    return Tensor.floats(ref.readFloats(name), ref.info(name).shape());
  }

  static void check(
      Path folder,
      String stage,
      Map<String, Tensor> feed,
      String output,
      SafeTensors ref,
      String prefix) {
    float[] want = ref.readFloats(prefix + stage + "." + output);
    float[] got;
    try (OnnxModel m =
        OnnxModel.open(stage, folder.resolve(stage).resolve("model.onnx"), SessionSettings.CPU)) {
      got = m.run(feed, output).get(output).floatData();
    }
    assertThat(got).hasSize(want.length);
    float max = 0;
    float diff = 0;
    for (int i = 0; i < want.length; i++) {
      max = Math.max(max, Math.abs(want[i]));
      diff = Math.max(diff, Math.abs(got[i] - want[i]));
    }
    System.out.printf("%s%s: max |diff| %.3g of max %.3g%n", prefix, stage, diff, max);
    assertThat(diff)
        .as(
            "%s%s: max difference (first values %s)",
            prefix, stage, Arrays.toString(Arrays.copyOf(got, 4)))
        .isLessThanOrEqualTo(1e-4f * max);
  }
}

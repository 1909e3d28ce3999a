package atelier.bench;

import atelier.CancelToken;
import atelier.model.ModelStore;
import atelier.model.OnnxModel;
import atelier.model.SafeTensors;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.model.checkpoint.CheckpointImport;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The slow check of checkpoint conversion at full size: converts a checkpoint (made by {@code
 * tools/checkpoint/make_checkpoints.py --full DIR}) into a store under a scratch folder, reports
 * the conversion's time and peak RSS (VmHWM, read before any graph is loaded), then runs each stage
 * on the inputs of the reference file and compares with the torch outputs (max |diff| ≤ 1e-4 × max
 * |reference|). Exit status 0 when every stage matches.
 *
 * <p>Usage: {@code java -cp bench/target/atelier-bench.jar atelier.bench.CheckpointCheck CHECKPOINT
 * REFERENCE SCRATCH [--family F]}.
 */
public final class CheckpointCheck {
  private CheckpointCheck() {}

  public static void main(String[] args) throws Exception {
    Path checkpoint = Path.of(args[0]);
    Path reference = Path.of(args[1]);
    Path scratch = Path.of(args[2]);
    String family = args.length > 4 && args[3].equals("--family") ? args[4] : null;
    ModelStore store = new ModelStore(scratch.resolve("models"));
    long t0 = System.nanoTime();
    long[] lastReport = {0};
    CheckpointImport.Result r =
        CheckpointImport.run(
            store,
            new CheckpointImport.Request(checkpoint, "check", family, null, true),
            d -> {},
            p -> {
              if (System.nanoTime() - lastReport[0] > 5_000_000_000L) {
                lastReport[0] = System.nanoTime();
                System.err.printf(
                    Locale.ROOT,
                    "  %s %s: %d/%d MB%n",
                    p.phase(),
                    p.file(),
                    p.bytes() >> 20,
                    p.total() >> 20);
              }
            },
            CancelToken.NONE);
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "converted %s (%s, template %s, %d weights, %.2f GB written) in %.1f s; peak RSS %.0f MiB%n",
        checkpoint.getFileName(),
        r.plan().family().id(),
        r.plan().template().arch(),
        r.plan().used(),
        r.plan().template().dataBytes() / 1e9,
        seconds,
        Measure.peakRssMiB());
    Path folder = store.folder("check");
    boolean ok = true;
    try (SafeTensors ref = SafeTensors.open(reference)) {
      float[] idsF = ref.readFloats("text_encoder.input_ids");
      long[] ids = new long[idsF.length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = (long) idsF[i];
      }
      ok &=
          check(
              folder,
              "text_encoder",
              Map.of("input_ids", Tensor.longs(ids, 1, ids.length)),
              "last_hidden_state",
              ref);
      ok &=
          check(
              folder,
              "unet",
              Map.of(
                  "sample", tensor(ref, "unet.sample"),
                  "timestep", Tensor.floats(ref.readFloats("unet.timestep")),
                  "encoder_hidden_states", tensor(ref, "unet.encoder_hidden_states")),
              "out_sample",
              ref);
      ok &=
          check(
              folder,
              "vae_decoder",
              Map.of("latent_sample", tensor(ref, "vae_decoder.latent_sample")),
              "sample",
              ref);
      ok &=
          check(
              folder,
              "vae_encoder",
              Map.of("sample", tensor(ref, "vae_encoder.sample")),
              "latent_parameters",
              ref);
    }
    System.out.println(ok ? "every stage matches the torch outputs" : "MISMATCH");
    System.exit(ok ? 0 : 1);
  }

  private static Tensor tensor(SafeTensors ref, String name) {
    return Tensor.floats(ref.readFloats(name), ref.info(name).shape());
  }

  private static boolean check(
      Path folder, String stage, Map<String, Tensor> feed, String output, SafeTensors ref) {
    float[] want = ref.readFloats(stage + "." + output);
    float[] got;
    try (OnnxModel m =
        OnnxModel.open(stage, folder.resolve(stage).resolve("model.onnx"), SessionSettings.CPU)) {
      got = m.run(feed, output).get(output).floatData();
    }
    float max = 0;
    float diff = 0;
    for (int i = 0; i < want.length; i++) {
      max = Math.max(max, Math.abs(want[i]));
      diff = Math.max(diff, Math.abs(got[i] - want[i]));
    }
    boolean ok = got.length == want.length && diff <= 1e-4f * max;
    System.out.printf(
        Locale.ROOT,
        "  %-12s max |diff| %.3g of max |ref| %.3g (%.2g relative) %s%n",
        stage,
        diff,
        max,
        diff / max,
        ok ? "ok" : "FAIL");
    return ok;
  }
}

package atelier.bench;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.diffusion.SchedulerKind;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.pipeline.Artwork;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.StableDiffusion;
import atelier.upscale.HiresFix;
import atelier.upscale.UpscaleOptions;
import atelier.upscale.Upscaler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * "Generate large directly" against "generate small, then upscale": text-to-image at {@code size ×
 * scale} versus at {@code size} followed by the upscaler (and, with {@code --hires-strength}, the
 * hires-fix image-to-image pass). Each way runs in its own JVM (peak RSS is its own); the model is
 * loaded before timing starts.
 *
 * <p>Usage: {@code java -cp bench.jar atelier.bench.HiresBenchmark --model SD_DIR --upscaler DIR
 * [--size 512] [--scale 2] [--steps 4] [--scheduler euler] [--guidance 7.5] [--hires-strength S]
 * [--hires-steps N] [--threads N] [--device cpu] [--only direct|upscale]}. The SD model should be
 * the full-size random-weight one from {@code tools/bench_model.py}.
 */
public final class HiresBenchmark {
  private HiresBenchmark() {}

  public static void main(String[] args) throws Exception {
    String model = null;
    String upscaler = null;
    int size = 512;
    int scale = 2;
    int steps = 4;
    String scheduler = "euler";
    double guidance = 7.5;
    Double strength = null;
    Integer hiresSteps = null;
    int threads = 0;
    String device = "cpu";
    String only = null;
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--model" -> model = v;
        case "--upscaler" -> upscaler = v;
        case "--size" -> size = Integer.parseInt(v);
        case "--scale" -> scale = Integer.parseInt(v);
        case "--steps" -> steps = Integer.parseInt(v);
        case "--scheduler" -> scheduler = v;
        case "--guidance" -> guidance = Double.parseDouble(v);
        case "--hires-strength" -> strength = Double.valueOf(v);
        case "--hires-steps" -> hiresSteps = Integer.valueOf(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--device" -> device = v;
        case "--only" -> only = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (model == null || upscaler == null) {
      throw new IllegalArgumentException("--model SD_DIR and --upscaler DIR are required");
    }
    if (only == null) {
      for (String way : new String[] {"direct", "upscale"}) {
        List<String> a = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
          a.add(args[i]);
        }
        a.addAll(List.of("--only", way));
        int code = Measure.child(HiresBenchmark.class, a);
        if (code != 0) {
          System.out.println(way + ": failed with exit code " + code);
        }
      }
      return;
    }
    SessionSettings settings = new SessionSettings(Device.lookup(device), threads, 0);
    GenerationRequest.Builder request =
        GenerationRequest.builder("a lighthouse on a cliff in a storm, oil painting")
            .negativePrompt("blurry")
            .steps(steps)
            .guidance(guidance)
            .scheduler(SchedulerKind.lookup(scheduler))
            .seed(42L);
    try (StableDiffusion sd = StableDiffusion.load(Path.of(model), settings);
        Upscaler up = Upscaler.open(Path.of(upscaler), settings)) {
      sd.hash();
      long start = System.nanoTime();
      String what;
      int outW;
      if (only.equals("direct")) {
        Artwork a =
            sd.generate(
                    request.size(size * scale, size * scale).build(),
                    ProgressListener.NONE,
                    CancelToken.NONE)
                .images()
                .get(0);
        what = "generate " + size * scale + "² directly";
        outW = a.image().getWidth();
      } else {
        Artwork a =
            sd.generate(request.size(size, size).build(), ProgressListener.NONE, CancelToken.NONE)
                .images()
                .get(0);
        double gen = (System.nanoTime() - start) / 1e9;
        HiresFix.Result r =
            HiresFix.apply(
                sd,
                up,
                a,
                new HiresFix.Settings(UpscaleOptions.of(scale), strength, hiresSteps),
                ProgressListener.NONE,
                CancelToken.NONE);
        what =
            String.format(
                Locale.ROOT,
                "generate %d² (%.1f s) + %s ×%d (%.1f s)%s",
                size,
                gen,
                up.id(),
                scale,
                r.upscale().millis() / 1000.0,
                r.hires() == null
                    ? ""
                    : String.format(
                        Locale.ROOT,
                        " + hires pass %d steps at %.2f (%.1f s)",
                        r.hires().steps(),
                        r.hires().strength(),
                        r.hires().millis() / 1000.0));
        outW = r.image().getWidth();
      }
      System.out.printf(
          Locale.ROOT,
          "%s: %d² in %.1f s, peak RSS %,.0f MiB, %d steps %s, guidance %.1f%n",
          what,
          outW,
          (System.nanoTime() - start) / 1e9,
          Measure.peakRssMiB(),
          steps,
          scheduler,
          guidance);
    }
  }
}

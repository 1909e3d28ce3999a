package atelier.bench;

import atelier.CancelToken;
import atelier.Progress;
import atelier.diffusion.SchedulerKind;
import atelier.model.Device;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.GenerationResult;
import atelier.pipeline.StableDiffusion;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * End-to-end benchmark of text-to-image: per-stage times (text encoder, every UNet step, VAE
 * decoder), peak memory (process RSS and Java heap) and the share of wall time spent outside ONNX
 * Runtime's run calls (Atelier's own overhead: tokenising, scheduling, tensor copies, PNG-free).
 *
 * <p>Usage: {@code java -cp bench.jar atelier.bench.PipelineBenchmark --model DIR [--size 512]
 * [--steps 20] [--scheduler euler] [--guidance 7.5] [--runs 1] [--warmup 1] [--device cpu]
 * [--graph-cache DIR|off] [--attention standard|fused] [--load-only]} and the session flags of
 * {@link SessionFlags} ({@code --threads N --inter-op N --spin on|off --arena on|off --mem-pattern
 * on|off --prepack on|off}). {@code --load-only} stops after loading (the load time and how each
 * stage used the optimised-graph cache); the cache defaults to Atelier's. Build a full-size
 * random-weight SD 1.5 model first with {@code tools/bench_model.py} (see docs/benchmarks.md).
 */
public final class PipelineBenchmark {
  private PipelineBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path model = null;
    int size = 512;
    int steps = 20;
    String scheduler = "euler";
    double guidance = 7.5;
    int runs = 1;
    int warmup = 1;
    SessionFlags session = new SessionFlags();
    String device = "cpu";
    String graphCache = null;
    boolean loadOnly = false;
    boolean fused = atelier.model.SessionSettings.defaultFusedAttention();
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      if (session.accept(args[i], v)) {
        continue;
      }
      switch (args[i]) {
        case "--model" -> model = Path.of(v);
        case "--size" -> size = Integer.parseInt(v);
        case "--steps" -> steps = Integer.parseInt(v);
        case "--scheduler" -> scheduler = v;
        case "--guidance" -> guidance = Double.parseDouble(v);
        case "--runs" -> runs = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--device" -> device = v;
        case "--graph-cache" -> graphCache = v;
        case "--attention" -> fused = attention(v);
        case "--load-only" -> {
          loadOnly = true;
          i--;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (model == null) {
      throw new IllegalArgumentException("--model DIR is required");
    }
    System.out.printf(
        Locale.ROOT,
        "model %s, %dx%d, %d steps, %s, guidance %.1f, %s, %s%n",
        model,
        size,
        size,
        steps,
        scheduler,
        guidance,
        device,
        session.describe());
    SessionSettings settings = session.applyTo(SessionSettings.of(Device.lookup(device)));
    if (graphCache != null) {
      settings = settings.withGraphCache(graphCache.equals("off") ? null : Path.of(graphCache));
    }
    settings = settings.withFusedAttention(fused);
    long t0 = System.nanoTime();
    try (StableDiffusion sd = StableDiffusion.load(model, settings)) {
      System.out.printf(Locale.ROOT, "load: %.0f ms (%s)%n", (System.nanoTime() - t0) / 1e6, sd);
      System.out.printf(
          Locale.ROOT,
          "graph cache %s: text encoder %s, unet %s, vae decoder %s; fused attention blocks:"
              + " unet %d, vae decoder %d%n",
          settings.graphCache() == null ? "off" : settings.graphCache(),
          sd.textEncoder().model().graphCacheUse(),
          sd.unet().model().graphCacheUse(),
          sd.vaeDecoder().model().graphCacheUse(),
          sd.unet().model().fusedAttentions(),
          sd.vaeDecoder().model().fusedAttentions());
      if (loadOnly) {
        System.out.printf(
            Locale.ROOT,
            "peak RSS: %.0f MiB, peak Java heap: %.0f MiB%n",
            peakRssMiB(),
            peakHeapMiB());
        return;
      }
      sd.hash();
      GenerationRequest request =
          GenerationRequest.builder("a lighthouse on a cliff in a storm, oil painting")
              .negativePrompt("blurry")
              .size(size, size)
              .steps(steps)
              .guidance(guidance)
              .scheduler(SchedulerKind.lookup(scheduler))
              .seed(42L)
              .build();
      for (int w = 0; w < warmup; w++) {
        sd.generate(request, p -> {}, CancelToken.NONE);
        System.out.println("warm-up run done");
      }
      for (int r = 0; r < runs; r++) {
        runOnce(sd, request, r);
      }
    }
    System.out.printf(
        Locale.ROOT, "peak RSS: %.0f MiB, peak Java heap: %.0f MiB%n", peakRssMiB(), peakHeapMiB());
  }

  /** {@code --attention}: {@code fused} or {@code standard}. */
  static boolean attention(String v) {
    return switch (v) {
      case "fused" -> true;
      case "standard" -> false;
      default ->
          throw new IllegalArgumentException("--attention: expected standard or fused, found " + v);
    };
  }

  private static void runOnce(StableDiffusion sd, GenerationRequest request, int run) {
    List<OnnxModel> graphs =
        List.of(sd.textEncoder().model(), sd.unet().model(), sd.vaeDecoder().model());
    long[] before = graphs.stream().mapToLong(g -> g.runStats().nanos()).toArray();
    List<Long> stepEnds = new ArrayList<>();
    long start = System.nanoTime();
    long[] denoiseStart = {0};
    GenerationResult result =
        sd.generate(
            request,
            p -> {
              if (p.stage() == Progress.Stage.ENCODE_TEXT) {
                denoiseStart[0] = System.nanoTime();
              } else if (p.stage() == Progress.Stage.DENOISE) {
                stepEnds.add(System.nanoTime());
              }
            },
            CancelToken.NONE);
    long wall = System.nanoTime() - start;
    long inside = 0;
    long[] perGraph = new long[graphs.size()];
    for (int i = 0; i < graphs.size(); i++) {
      perGraph[i] = graphs.get(i).runStats().nanos() - before[i];
      inside += perGraph[i];
    }
    var t = result.timings();
    System.out.printf(Locale.ROOT, "run %d: total %.0f ms%n", run + 1, wall / 1e6);
    System.out.printf(
        Locale.ROOT,
        "  text encoder: %.1f ms (inside ORT %.1f ms)%n",
        t.textMs(),
        perGraph[0] / 1e6);
    StringBuilder steps = new StringBuilder();
    long prev = denoiseStart[0];
    double min = Double.MAX_VALUE;
    double max = 0;
    for (long end : stepEnds) {
      double ms = (end - prev) / 1e6;
      min = Math.min(min, ms);
      max = Math.max(max, ms);
      steps.append(String.format(Locale.ROOT, " %.0f", ms));
      prev = end;
    }
    System.out.printf(Locale.ROOT, "  unet steps (ms):%s%n", steps);
    System.out.printf(
        Locale.ROOT,
        "  unet: mean %.1f ms/step, min %.1f, max %.1f (inside ORT %.1f ms total)%n",
        t.stepMs(),
        min,
        max,
        perGraph[1] / 1e6);
    System.out.printf(
        Locale.ROOT,
        "  vae decoder: %.1f ms (inside ORT %.1f ms)%n",
        t.decodeMs(),
        perGraph[2] / 1e6);
    double outside = (wall - inside) / 1e6;
    System.out.printf(
        Locale.ROOT,
        "  outside ONNX Runtime: %.1f ms = %.3f%% of wall time%n",
        outside,
        100.0 * (wall - inside) / wall);
  }

  private static double peakRssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  private static double peakHeapMiB() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum / (1024.0 * 1024.0);
  }
}

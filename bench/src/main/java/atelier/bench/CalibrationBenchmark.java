package atelier.bench;

import atelier.model.Device;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.pipeline.Unet;
import atelier.upscale.OnnxGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * What this machine's ONNX Runtime reaches on the UNet's two kinds of work, to judge the UNet step
 * against: a 3×3 convolution 320→320 at 64×64 (batch 2, the UNet's first level at 512²) and a
 * 2048×2048 MatMul, each as a one-node graph built here, timed after a warm-up, in GFLOP/s. With
 * {@code --model DIR} it also times the model's UNet on one guided step at {@code --size} (batch 2)
 * and prints its effective FLOP/s as a share of the convolution's (the UNet through Atelier's
 * optimised-graph cache, {@code $ATELIER_GRAPH_CACHE}).
 *
 * <p>The UNet's work per guided step is the count in docs/benchmarks.md, made by {@code
 * tools/unet_flops.py} with forward hooks on the SD 1.5 architecture (guided step, batch 2: 360.2
 * GFLOP at 256², {@value #SD15_CFG_STEP_GFLOP} at 512², 4,296.2 at 768²); other sizes scale the
 * 512² figure by the latent area (which undercounts attention), and {@code --unet-gflop} overrides
 * it for other models.
 *
 * <p>Usage: {@code java -cp atelier-bench.jar atelier.bench.CalibrationBenchmark [--runs 5]
 * [--model DIR [--size 512] [--unet-gflop G] [--attention standard|fused]]} and the session flags
 * of {@link SessionFlags} ({@code --threads N --inter-op N --spin on|off --arena on|off
 * --mem-pattern on|off --prepack on|off}), which apply to the calibration graphs and the UNet
 * alike.
 */
public final class CalibrationBenchmark {
  /** FLOP of one guided SD 1.5 UNet step (batch 2) at 512² (see the class comment). */
  static final double SD15_CFG_STEP_GFLOP = 1606.5;

  /** GFLOP of one guided SD 1.5 UNet step at the sizes tools/unet_flops.py counted. */
  static double sd15StepGflop(int size) {
    return switch (size) {
      case 256 -> 360.2;
      case 512 -> SD15_CFG_STEP_GFLOP;
      case 768 -> 4296.2;
      default -> SD15_CFG_STEP_GFLOP * (size / 512.0) * (size / 512.0);
    };
  }

  private CalibrationBenchmark() {}

  public static void main(String[] args) throws IOException {
    int runs = 5;
    SessionFlags session = new SessionFlags();
    Path model = null;
    int size = 512;
    double unetGflop = Double.NaN;
    boolean fused = atelier.model.SessionSettings.defaultFusedAttention();
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      if (session.accept(args[i], v)) {
        continue;
      }
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(v);
        case "--model" -> model = Path.of(v);
        case "--size" -> size = Integer.parseInt(v);
        case "--unet-gflop" -> unetGflop = Double.parseDouble(v);
        case "--attention" -> fused = PipelineBenchmark.attention(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    SessionSettings settings = session.applyTo(SessionSettings.of(Device.CPU)).withoutGraphCache();
    System.out.printf(
        Locale.ROOT,
        "ONNX Runtime %s, %s, load %s%n",
        OnnxModel.runtimeVersion(),
        session.describe(),
        loadAverage());
    double conv = time("conv 3x3 320->320 64x64 batch 2", convolution(2, 320, 64), settings, runs);
    time("matmul 2048x2048", matMul(2048), settings, runs);
    if (model != null) {
      double gflop = Double.isNaN(unetGflop) ? sd15StepGflop(size) : unetGflop;
      double unet =
          unetStep(
              model.resolve("unet/model.onnx"),
              size,
              gflop,
              session.applyTo(SessionSettings.of(Device.CPU)).withFusedAttention(fused),
              runs);
      System.out.printf(
          Locale.ROOT, "unet effective / conv: %.1f%% (goal >= 60%%)%n", 100 * unet / conv);
    }
  }

  /** A one-node graph {@code y = conv3x3(x)} with random weights; FLOP and feed included. */
  record Work(String name, byte[] graph, Map<String, Tensor> feed, String output, double flop) {}

  static Work convolution(int batch, int channels, int side) {
    float[] w = convolutionWeights(channels);
    Random r = new Random(11);
    byte[] graph =
        new OnnxGraph("calibration_conv")
            .input("x", Integer.toString(batch), Integer.toString(channels), "h", "w")
            .output("y", Integer.toString(batch), Integer.toString(channels), "h", "w")
            .initializer("w", w, channels, channels, 3, 3)
            .initializer("b", new float[channels], channels)
            .node(
                "Conv",
                List.of("x", "w", "b"),
                List.of("y"),
                OnnxGraph.ints("kernel_shape", 3, 3),
                OnnxGraph.ints("pads", 1, 1, 1, 1))
            .toModel("calibration");
    float[] x = randoms(r, batch * channels * side * side, 1f);
    double flop = 2.0 * batch * channels * side * side * channels * 9;
    return new Work(
        "conv", graph, Map.of("x", Tensor.floats(x, batch, channels, side, side)), "y", flop);
  }

  /** The convolution's weights [out, in, 3, 3]. */
  static float[] convolutionWeights(int channels) {
    return randoms(new Random(1), channels * channels * 9, 0.02f);
  }

  /** The MatMul's constant right-hand matrix [n, n]. */
  static float[] matMulWeights(int n) {
    return randoms(new Random(2), n * n, 0.02f);
  }

  static Work matMul(int n) {
    Random r = new Random(12);
    byte[] graph =
        new OnnxGraph("calibration_matmul")
            .input("a", "m", Integer.toString(n))
            .output("y", "m", Integer.toString(n))
            .initializer("b", matMulWeights(n), n, n)
            .node("MatMul", List.of("a", "b"), List.of("y"))
            .toModel("calibration");
    double flop = 2.0 * n * n * n;
    return new Work(
        "matmul", graph, Map.of("a", Tensor.floats(randoms(r, n * n, 1f), n, n)), "y", flop);
  }

  /** Times {@code work} (one warm-up, then the median of {@code runs}) and prints its GFLOP/s. */
  private static double time(String label, Work work, SessionSettings settings, int runs) {
    try (OnnxModel m =
        OnnxModel.open("calibration", work.graph(), Path.of(work.name() + ".onnx"), settings)) {
      double[] ms = timeRuns(() -> m.run(work.feed(), work.output()), runs);
      double median = median(ms);
      double gflops = work.flop() / (median / 1000) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%s: %.1f GFLOP in %.1f ms (median of %d, runs %s) = %.1f GFLOP/s%n",
          label,
          work.flop() / 1e9,
          median,
          runs,
          Arrays.toString(Arrays.stream(ms).map(Math::round).toArray()),
          gflops);
      return gflops;
    }
  }

  private static double unetStep(
      Path graph, int size, double gflop, SessionSettings settings, int runs) {
    if (!Files.isRegularFile(graph)) {
      throw new IllegalArgumentException("--model: expected " + graph + ", found none");
    }
    try (Unet unet = Unet.open(graph, settings)) {
      OnnxModel m = unet.model();
      int side = size / 8;
      Random r = new Random(3);
      int hidden = (int) m.input("encoder_hidden_states").orElseThrow().shape()[2];
      Map<String, Tensor> feed =
          Map.of(
              "sample",
              Tensor.floats(randoms(r, 2 * 4 * side * side, 1f), 2, 4, side, side),
              "timestep",
              timestep(m),
              "encoder_hidden_states",
              Tensor.floats(randoms(r, 2 * 77 * hidden, 1f), 2, 77, hidden));
      double[] ms = timeRuns(() -> m.run(feed, "out_sample"), Math.max(1, runs / 2));
      double median = median(ms);
      double gflops = gflop / (median / 1000);
      System.out.printf(Locale.ROOT, "unet: %d attention blocks fused%n", m.fusedAttentions());
      System.out.printf(
          Locale.ROOT,
          "unet %dx%d guided step (batch 2): %.0f GFLOP in %.0f ms (median, runs %s) = %.1f GFLOP/s%n",
          size,
          size,
          gflop,
          median,
          Arrays.toString(Arrays.stream(ms).map(Math::round).toArray()),
          gflops);
      return gflops;
    }
  }

  private static Tensor timestep(OnnxModel m) {
    var spec = m.input("timestep").orElseThrow();
    boolean batched = spec.rank() == 1 && !(spec.isStatic(0) && spec.shape()[0] == 1);
    long[] shape = spec.rank() == 0 ? new long[0] : new long[] {batched ? 2 : 1};
    int n = batched ? 2 : 1;
    return switch (spec.type()) {
      case INT64 -> {
        long[] t = new long[n];
        Arrays.fill(t, 500);
        yield Tensor.longs(t, shape);
      }
      case INT32 -> {
        int[] t = new int[n];
        Arrays.fill(t, 500);
        yield Tensor.ints(t, shape);
      }
      default -> {
        float[] t = new float[n];
        Arrays.fill(t, 500);
        yield Tensor.floats(t, shape);
      }
    };
  }

  private static double[] timeRuns(Runnable run, int runs) {
    run.run(); // warm-up: ONNX Runtime allocates and pre-packs on the first run
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      run.run();
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    return ms;
  }

  private static double median(double[] ms) {
    double[] s = ms.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static float[] randoms(Random r, int n, float scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian() * scale;
    }
    return a;
  }

  /** The 1, 5 and 15 minute load averages ({@code /proc/loadavg}), for the record. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}

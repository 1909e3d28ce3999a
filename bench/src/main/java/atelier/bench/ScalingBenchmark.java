package atelier.bench;

import atelier.AtelierHome;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.pipeline.TaesdDecoder;
import atelier.pipeline.Unet;
import atelier.pipeline.VaeDecoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How cost grows with size and batch: the guided UNet step (one warm-up, then the median of {@code
 * --runs}) at each of {@code --sizes} (batch 1) and each of {@code --batches} at 512², and the VAE
 * decode at {@code --vae-sizes} whole and in tiles (and TAESD's decode when {@code models/taesd} of
 * the data folder or {@code --taesd DIR} holds one), each in a child JVM so its peak RSS ({@code
 * VmHWM}, ONNX Runtime's native memory included) is its own. Prints one table.
 *
 * <p>A guided step of {@code b} images is one UNet call on a batch of {@code 2b} (unconditional and
 * conditional). Atelier's pipeline makes images one after another (one call of 2 per step and
 * image), so the batch rows show what batching would buy, not what {@code --batch} costs today.
 * Tiles are {@link VaeDecoder#TILE} latents (512 pixels) with {@link VaeDecoder#OVERLAP} overlap:
 * at 512² the tiled decode is one tile.
 *
 * <p>Usage: {@code java -cp atelier-bench.jar atelier.bench.ScalingBenchmark --model DIR [--sizes
 * 256,512,768] [--batches 1,2,4] [--batch-size 512] [--vae-sizes 512,768] [--runs 3] [--taesd DIR]
 * [--attention standard|fused] [--quick]} and the session flags of {@link SessionFlags}. {@code
 * --quick} is a smoke test on the tiny test model (sizes 64 and 128, batches 1 and 2, one run).
 */
public final class ScalingBenchmark {
  /** The child's last line: {@code RESULT <median ms> <peak RSS MiB>}. */
  static final String RESULT = "RESULT";

  private ScalingBenchmark() {}

  /** One measured configuration. */
  record Config(String stage, int size, int batch, String variant) {
    List<String> args() {
      return List.of(
          "--stage",
          stage,
          "--size",
          Integer.toString(size),
          "--batch",
          Integer.toString(batch),
          "--variant",
          variant);
    }
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length > 0 && args[0].equals("--child")) {
      child(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    Path model = null;
    Path taesd = null;
    boolean quick = Arrays.asList(args).contains("--quick");
    List<Integer> sizes = quick ? List.of(64, 128) : List.of(256, 512, 768);
    List<Integer> batches = quick ? List.of(1, 2) : List.of(1, 2, 4);
    List<Integer> vaeSizes = quick ? List.of(64, 128) : List.of(512, 768);
    int batchSize = quick ? 64 : 512;
    int runs = quick ? 1 : 3;
    List<String> passOn = new ArrayList<>();
    SessionFlags session = new SessionFlags();
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      if (session.accept(args[i], v)) {
        passOn.addAll(List.of(args[i], v));
        continue;
      }
      switch (args[i]) {
        case "--model" -> model = Path.of(v);
        case "--sizes" -> sizes = ints("--sizes", v);
        case "--batches" -> batches = ints("--batches", v);
        case "--batch-size" -> batchSize = ints("--batch-size", v).get(0);
        case "--vae-sizes" -> vaeSizes = ints("--vae-sizes", v);
        case "--runs" -> runs = ints("--runs", v).get(0);
        case "--taesd" -> taesd = Path.of(v);
        case "--attention" -> {
          PipelineBenchmark.attention(v);
          passOn.addAll(List.of(args[i], v));
        }
        case "--quick" -> i--;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (model == null && quick) {
      model = tinyModel();
    }
    if (model == null) {
      throw new IllegalArgumentException("--model DIR is required (or --quick)");
    }
    if (!Files.isRegularFile(model.resolve("unet/model.onnx"))
        || !Files.isRegularFile(model.resolve("vae_decoder/model.onnx"))) {
      throw new IllegalArgumentException(
          "--model: expected a model folder with unet/model.onnx and vae_decoder/model.onnx, found "
              + model);
    }
    for (int s : concat(sizes, vaeSizes, List.of(batchSize))) {
      if (s % 8 != 0) {
        throw new IllegalArgumentException(
            "sizes: expected multiples of 8 pixels (the latents are an eighth), found " + s);
      }
    }
    if (taesd == null) {
      Path installed = AtelierHome.fromEnvironment().models().resolve("taesd");
      taesd = Files.isRegularFile(installed.resolve(TaesdDecoder.GRAPH)) ? installed : null;
    }
    List<Config> configs = configs(sizes, batches, batchSize, vaeSizes, taesd != null);
    System.out.printf(
        Locale.ROOT,
        "model %s, %d runs after a warm-up, %s, load %s%n",
        model,
        runs,
        session.describe(),
        CalibrationBenchmark.loadAverage());
    List<String> rows = new ArrayList<>();
    for (Config c : configs) {
      List<String> childArgs = new ArrayList<>(c.args());
      childArgs.addAll(List.of("--model", model.toString(), "--runs", Integer.toString(runs)));
      if (taesd != null) {
        childArgs.addAll(List.of("--taesd", taesd.toString()));
      }
      childArgs.addAll(passOn);
      rows.add(row(c, runChild(childArgs)));
      System.out.println("  done: " + rows.get(rows.size() - 1).strip());
    }
    System.out.println();
    System.out.println(HEADER);
    rows.forEach(System.out::println);
  }

  /** The table's header line. */
  static final String HEADER =
      String.format(
          Locale.ROOT,
          "%-18s %6s %6s %8s %12s %14s %14s",
          "stage",
          "size",
          "batch",
          "variant",
          "median ms",
          "ms per image",
          "peak RSS MiB");

  /** The configurations in table order; the batch rows skip the one the size rows already have. */
  static List<Config> configs(
      List<Integer> sizes,
      List<Integer> batches,
      int batchSize,
      List<Integer> vaeSizes,
      boolean taesd) {
    Set<Config> out = new LinkedHashSet<>();
    for (int s : sizes) {
      out.add(new Config("unet", s, 1, "-"));
    }
    for (int b : batches) {
      out.add(new Config("unet", batchSize, b, "-"));
    }
    for (int s : vaeSizes) {
      out.add(new Config("vae", s, 1, "whole"));
      out.add(new Config("vae", s, 1, "tiled"));
    }
    if (taesd) {
      for (int s : vaeSizes) {
        out.add(new Config("taesd", s, 1, "-"));
      }
    }
    return List.copyOf(out);
  }

  private static String row(Config c, double[] result) {
    String stage = c.stage().equals("unet") ? "unet guided step" : c.stage() + " decode";
    if (result == null) {
      return String.format(
          Locale.ROOT,
          "%-18s %6d %6d %8s %12s %14s %14s",
          stage,
          c.size(),
          c.batch(),
          c.variant(),
          "failed",
          "-",
          "-");
    }
    return String.format(
        Locale.ROOT,
        "%-18s %6d %6d %8s %12.1f %14.1f %14.0f",
        stage,
        c.size(),
        c.batch(),
        c.variant(),
        result[0],
        result[0] / c.batch(),
        result[1]);
  }

  /** Runs one configuration in a child JVM; its result, or null when it failed (said why). */
  private static double[] runChild(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + Runtime.getRuntime().maxMemory() / (1024 * 1024) + "m");
    for (String p : System.getProperties().stringPropertyNames()) {
      if (p.startsWith("atelier.")) {
        cmd.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    cmd.add(ScalingBenchmark.class.getName());
    cmd.add("--child");
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
      }
    }
    int exit = p.waitFor();
    for (String line : lines) {
      if (line.startsWith(RESULT + " ") && exit == 0) {
        String[] f = line.split(" ");
        return new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])};
      }
    }
    System.out.println("  child " + args + " exited with " + exit + ": " + lines);
    return null;
  }

  /** The child: loads one stage, times it, prints {@link #RESULT}. */
  private static void child(String[] args) {
    String stage = null;
    String variant = "-";
    int size = 512;
    int batch = 1;
    int runs = 3;
    Path model = null;
    Path taesd = null;
    boolean fused = SessionSettings.defaultFusedAttention();
    SessionFlags session = new SessionFlags();
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      if (session.accept(args[i], v)) {
        continue;
      }
      switch (args[i]) {
        case "--stage" -> stage = v;
        case "--variant" -> variant = v;
        case "--size" -> size = Integer.parseInt(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--runs" -> runs = Integer.parseInt(v);
        case "--model" -> model = Path.of(v);
        case "--taesd" -> taesd = Path.of(v);
        case "--attention" -> fused = PipelineBenchmark.attention(v);
        default -> throw new IllegalArgumentException("unknown child option " + args[i]);
      }
    }
    SessionSettings settings =
        session.applyTo(SessionSettings.of(Device.CPU)).withFusedAttention(fused);
    int side = size / 8;
    Random r = new Random(5);
    double ms =
        switch (stage) {
          case "unet" -> unet(model, settings, side, batch, runs, r);
          case "vae" -> vae(model, settings, side, variant.equals("tiled"), runs, r);
          case "taesd" -> taesd(taesd, settings, side, runs, r);
          default -> throw new IllegalArgumentException("unknown stage " + stage);
        };
    System.out.printf(Locale.ROOT, "%s %.3f %.1f%n", RESULT, ms, Measure.peakRssMiB());
  }

  private static double unet(
      Path model, SessionSettings settings, int side, int batch, int runs, Random r) {
    try (Unet unet = Unet.open(model.resolve("unet/model.onnx"), settings)) {
      int n = 2 * batch; // unconditional and conditional per image
      int channels = unet.declaredSampleChannels() > 0 ? unet.declaredSampleChannels() : 4;
      int tokens = unet.fixedSequenceLength() > 0 ? unet.fixedSequenceLength() : 77;
      int hidden = unet.declaredHiddenSize() > 0 ? unet.declaredHiddenSize() : 768;
      Tensor latents =
          Tensor.floats(randoms(r, n * channels * side * side), n, channels, side, side);
      Tensor cond = Tensor.floats(randoms(r, n * tokens * hidden), n, tokens, hidden);
      int w = unet.timestepCondSize();
      Tensor embedding = unet.takesTimestepCond() ? Tensor.floats(new float[n * w], n, w) : null;
      return medianMs(() -> unet.predict(latents, 500, cond, embedding), runs);
    }
  }

  private static double vae(
      Path model, SessionSettings settings, int side, boolean tiled, int runs, Random r) {
    try (VaeDecoder vae = VaeDecoder.open(model.resolve("vae_decoder/model.onnx"), settings)) {
      Tensor latents = Tensor.floats(randoms(r, 4 * side * side), 1, 4, side, side);
      return medianMs(() -> tiled ? vae.decodeTiled(latents) : vae.decode(latents), runs);
    }
  }

  private static double taesd(Path folder, SessionSettings settings, int side, int runs, Random r) {
    try (TaesdDecoder d = TaesdDecoder.open(folder, settings)) {
      Tensor latents = Tensor.floats(randoms(r, 4 * side * side), 1, 4, side, side);
      return medianMs(() -> d.decode(latents), runs);
    }
  }

  private static double medianMs(Supplier<Tensor> run, int runs) {
    run.get(); // warm-up: ONNX Runtime allocates and pre-packs on the first run
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      run.get();
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    Arrays.sort(ms);
    return runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
  }

  private static float[] randoms(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  @SafeVarargs
  private static List<Integer> concat(List<Integer>... lists) {
    List<Integer> out = new ArrayList<>();
    for (List<Integer> l : lists) {
      out.addAll(l);
    }
    return out;
  }

  private static List<Integer> ints(String flag, String v) {
    try {
      List<Integer> out = new ArrayList<>();
      for (String s : v.split(",")) {
        int n = Integer.parseInt(s.strip());
        if (n < 1) {
          throw new NumberFormatException();
        }
        out.add(n);
      }
      return out;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          flag + ": expected positive whole numbers separated by commas, found \"" + v + "\"");
    }
  }

  /** The tiny SD 1.5 test model, from the repository root or a module folder. */
  private static Path tinyModel() {
    for (String base : List.of(".", "..")) {
      Path p = Path.of(base, "core/src/test/resources/models/sd15-optimum-1.22");
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "--quick: expected the tiny test model core/src/test/resources/models/sd15-optimum-1.22"
            + " under the current folder or its parent; give --model DIR");
  }
}

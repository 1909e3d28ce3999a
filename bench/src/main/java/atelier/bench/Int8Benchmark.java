package atelier.bench;

import atelier.CancelToken;
import atelier.diffusion.SchedulerKind;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.GenerationResult;
import atelier.pipeline.StableDiffusion;
import atelier.upscale.ImageMetrics;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A float32 model against its int8 variant ({@code atelier models optimize ID --int8}): UNet step
 * time of each, measured in interleaved rounds in one process (fp32, int8, fp32, int8, …, so load
 * and machine noise fall on both), and the pixel difference of the two images made from the same
 * seed: mean absolute and largest difference per channel (levels of 255) and PSNR.
 *
 * <p>Usage: {@code java -cp atelier-bench.jar atelier.bench.Int8Benchmark --fp32 DIR --int8 DIR
 * [--size 512] [--steps 4] [--rounds 3] [--guidance 7.5] [--scheduler euler] [--threads N]}. Both
 * models are loaded at once (the memory of both). The first round is a warm-up and not counted.
 */
public final class Int8Benchmark {
  private Int8Benchmark() {}

  public static void main(String[] args) {
    Path fp32 = null;
    Path int8 = null;
    int size = 512;
    int steps = 4;
    int rounds = 3;
    double guidance = 7.5;
    String scheduler = "euler";
    int threads = 0;
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--fp32" -> fp32 = Path.of(v);
        case "--int8" -> int8 = Path.of(v);
        case "--size" -> size = Integer.parseInt(v);
        case "--steps" -> steps = Integer.parseInt(v);
        case "--rounds" -> rounds = Integer.parseInt(v);
        case "--guidance" -> guidance = Double.parseDouble(v);
        case "--scheduler" -> scheduler = v;
        case "--threads" -> threads = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (fp32 == null || int8 == null) {
      throw new IllegalArgumentException("--fp32 DIR and --int8 DIR are required");
    }
    SessionSettings settings = new SessionSettings(Device.CPU, threads, 0);
    GenerationRequest request =
        GenerationRequest.builder("a lighthouse on a cliff in a storm, oil painting")
            .negativePrompt("blurry")
            .size(size, size)
            .steps(steps)
            .guidance(guidance)
            .scheduler(SchedulerKind.lookup(scheduler))
            .seed(42L)
            .build();
    System.out.printf(
        Locale.ROOT,
        "fp32 %s vs int8 %s: %dx%d, %d steps, %s, guidance %.1f, %d rounds (first is warm-up)%n",
        fp32,
        int8,
        size,
        size,
        steps,
        scheduler,
        guidance,
        rounds);
    long t0 = System.nanoTime();
    try (StableDiffusion a = StableDiffusion.load(fp32, settings)) {
      long t1 = System.nanoTime();
      try (StableDiffusion b = StableDiffusion.load(int8, settings)) {
        long t2 = System.nanoTime();
        System.out.printf(
            Locale.ROOT,
            "load: fp32 %.1f s, int8 %.1f s; fused attention blocks in the UNet: fp32 %d, int8 %d%n",
            (t1 - t0) / 1e9,
            (t2 - t1) / 1e9,
            a.unet().model().fusedAttentions(),
            b.unet().model().fusedAttentions());
        List<Double> stepA = new ArrayList<>();
        List<Double> stepB = new ArrayList<>();
        BufferedImage imageA = null;
        BufferedImage imageB = null;
        for (int r = 0; r < rounds; r++) {
          GenerationResult ra = a.generate(request, p -> {}, CancelToken.NONE);
          GenerationResult rb = b.generate(request, p -> {}, CancelToken.NONE);
          System.out.printf(
              Locale.ROOT,
              "round %d%s: unet step fp32 %.0f ms, int8 %.0f ms; decode fp32 %.0f ms, int8 %.0f"
                  + " ms%n",
              r + 1,
              r == 0 ? " (warm-up)" : "",
              ra.timings().stepMs(),
              rb.timings().stepMs(),
              ra.timings().decodeMs(),
              rb.timings().decodeMs());
          if (r > 0 || rounds == 1) {
            stepA.add(ra.timings().stepMs());
            stepB.add(rb.timings().stepMs());
          }
          imageA = ra.images().get(0).image();
          imageB = rb.images().get(0).image();
        }
        double ma = median(stepA);
        double mb = median(stepB);
        System.out.printf(
            Locale.ROOT,
            "unet step, median: fp32 %.0f ms, int8 %.0f ms: int8 is %.2fx the speed of fp32%n",
            ma,
            mb,
            ma / mb);
        report(imageA, imageB);
      }
    }
    System.out.printf(Locale.ROOT, "peak RSS (both models): %.0f MiB%n", Measure.peakRssMiB());
  }

  /** Mean absolute and largest difference per channel, and PSNR, of two same-size images. */
  static void report(BufferedImage a, BufferedImage b) {
    int w = a.getWidth();
    int h = a.getHeight();
    int[] pa = a.getRGB(0, 0, w, h, null, 0, w);
    int[] pb = b.getRGB(0, 0, w, h, null, 0, w);
    double[] sum = new double[3];
    int[] max = new int[3];
    for (int i = 0; i < pa.length; i++) {
      for (int c = 0; c < 3; c++) {
        int shift = 16 - 8 * c;
        int d = Math.abs(((pa[i] >> shift) & 0xff) - ((pb[i] >> shift) & 0xff));
        sum[c] += d;
        max[c] = Math.max(max[c], d);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "pixels int8 vs fp32 (same seed): mean |diff| R %.2f G %.2f B %.2f, max R %d G %d B %d"
            + " (levels of 255), PSNR %.1f dB%n",
        sum[0] / pa.length,
        sum[1] / pa.length,
        sum[2] / pa.length,
        max[0],
        max[1],
        max[2],
        ImageMetrics.psnr(a, b));
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}

package atelier.bench;

import atelier.CancelToken;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.upscale.UpscaleOptions;
import atelier.upscale.Upscaler;
import atelier.upscale.Upscaling;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Time and peak memory of upscaling one image (512→2048 by default) with each given upscaler, whole
 * and tiled. Every configuration runs in its own JVM, so peak RSS (VmHWM, ONNX Runtime's native
 * memory included) belongs to that configuration alone.
 *
 * <p>Usage: {@code java -cp bench.jar atelier.bench.UpscaleBenchmark --model DIR [--model DIR …]
 * [--image FILE] [--size 512] [--scale 4] [--tiles 0,auto,192] [--memory 1024] [--overlap 16]
 * [--threads N] [--device cpu]}. Without {@code --image}, a synthetic 512² test card is used.
 */
public final class UpscaleBenchmark {
  private UpscaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<String> models = new ArrayList<>();
    String image = null;
    int size = 512;
    int scale = 4;
    String tiles = "0,auto";
    long memory = 1024;
    int overlap = UpscaleOptions.DEFAULT_OVERLAP;
    int threads = 0;
    String device = "cpu";
    boolean one = false;
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--model" -> models.add(v);
        case "--image" -> image = v;
        case "--size" -> size = Integer.parseInt(v);
        case "--scale" -> scale = Integer.parseInt(v);
        case "--tiles" -> tiles = v;
        case "--memory" -> memory = Long.parseLong(v);
        case "--overlap" -> overlap = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--device" -> device = v;
        case "--one" -> {
          one = true;
          i--;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (models.isEmpty()) {
      throw new IllegalArgumentException("--model DIR is required (one or more)");
    }
    if (one) {
      runOne(models.get(0), image, size, scale, tiles, memory, overlap, threads, device);
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "| model | input | tiles | tile side | time | peak RSS | peak heap |%n|---|---|---|---|---|---|---|%n");
    for (String m : models) {
      for (String t : tiles.split(",")) {
        List<String> a = new ArrayList<>(List.of("--one", "--model", m, "--size", "" + size));
        a.addAll(List.of("--scale", "" + scale, "--tiles", t, "--memory", "" + memory));
        a.addAll(List.of("--overlap", "" + overlap, "--threads", "" + threads, "--device", device));
        if (image != null) {
          a.addAll(List.of("--image", image));
        }
        int code = Measure.child(UpscaleBenchmark.class, a);
        if (code != 0) {
          System.out.printf(Locale.ROOT, "| %s | %s | failed (exit %d) | | | | |%n", m, t, code);
        }
      }
    }
  }

  private static void runOne(
      String model,
      String image,
      int size,
      int scale,
      String tile,
      long memory,
      int overlap,
      int threads,
      String device)
      throws Exception {
    BufferedImage in =
        image != null ? ImageIO.read(Path.of(image).toFile()) : TestCard.make(size, size);
    try (Upscaler up =
        Upscaler.open(Path.of(model), new SessionSettings(Device.lookup(device), threads, 0))) {
      Integer t = tile.equals("auto") ? null : Integer.valueOf(tile);
      UpscaleOptions o =
          new UpscaleOptions(scale, t, overlap, memory << 20, UpscaleOptions.Alpha.MODEL);
      int[] tiles = {0};
      long start = System.nanoTime();
      Upscaling.Result r = Upscaling.run(up, in, o, p -> tiles[0] = p.total(), new CancelToken());
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "| %s | %d×%d → %d×%d | %s (%d run%s) | %s | %.1f s | %,.0f MiB | %,.0f MiB |%n",
          up.id(),
          in.getWidth(),
          in.getHeight(),
          r.image().getWidth(),
          r.image().getHeight(),
          tile.equals("0") ? "whole" : tile.equals("auto") ? "auto, " + memory + " MiB" : tile,
          tiles[0],
          tiles[0] == 1 ? "" : "s",
          r.record().tile() == 0 ? "—" : Integer.toString(r.record().tile()),
          seconds,
          Measure.peakRssMiB(),
          Measure.peakHeapMiB());
    }
  }
}

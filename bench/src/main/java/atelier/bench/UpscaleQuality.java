package atelier.bench;

import atelier.CancelToken;
import atelier.image.Resize;
import atelier.model.SessionSettings;
import atelier.upscale.ImageMetrics;
import atelier.upscale.PlanarImage;
import atelier.upscale.Tiler;
import atelier.upscale.Upscaler;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The upscaler quality table, with the usual super-resolution protocol: each photo is shrunk
 * (bicubic, 1/{@code prescale}: wallpapers are soft at full size) and centre-cropped to the
 * high-resolution reference; the crop is shrunk with bicubic by 2 and by 4 and brought back by
 * bicubic, Lanczos-3 and each upscaler; PSNR on the luma (as papers report) and on RGB, and SSIM on
 * the luma, against the reference with borders of {@code scale} pixels left out, averaged over the
 * images. With {@code --seams}, also how far tiled runs are from whole-image runs per overlap.
 *
 * <p>Usage: {@code java -cp bench.jar atelier.bench.UpscaleQuality --images DIR [--images DIR …]
 * --model DIR [--model DIR …] [--crop 256] [--prescale 4] [--scales 2,4] [--seams [--seam-images
 * 6]]}.
 */
public final class UpscaleQuality {
  private UpscaleQuality() {}

  public static void main(String[] args) throws Exception {
    List<Path> dirs = new ArrayList<>();
    List<Path> models = new ArrayList<>();
    int crop = 256;
    boolean seams = false;
    int seamImages = 6;
    int prescale = 4;
    List<Integer> scales = new ArrayList<>(List.of(2, 4));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--images" -> dirs.add(Path.of(args[++i]));
        case "--model" -> models.add(Path.of(args[++i]));
        case "--crop" -> crop = Integer.parseInt(args[++i]);
        case "--seams" -> seams = true;
        case "--seam-images" -> seamImages = Integer.parseInt(args[++i]);
        case "--prescale" -> prescale = Integer.parseInt(args[++i]);
        case "--scales" ->
            scales =
                Stream.of(args[++i].split(","))
                    .filter(x -> !x.isBlank())
                    .map(Integer::valueOf)
                    .toList();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<Path> files = images(dirs);
    List<BufferedImage> crops = new ArrayList<>();
    for (Path f : files) {
      BufferedImage img = ImageIO.read(f.toFile());
      if (img != null && prescale > 1) {
        // Wallpapers are soft at full size; shrinking first gives crops with detail in every
        // pixel, like the photos of super-resolution benchmarks (DIV2K, Set14).
        img = Bicubic.resize(img, img.getWidth() / prescale, img.getHeight() / prescale);
      }
      if (img != null && img.getWidth() >= crop && img.getHeight() >= crop) {
        crops.add(
            img.getSubimage((img.getWidth() - crop) / 2, (img.getHeight() - crop) / 2, crop, crop));
        System.err.println("image " + f);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d images, shrunk to 1/%d (bicubic), centre crops of %d×%d%n%n",
        crops.size(),
        prescale,
        crop,
        crop);
    List<Upscaler> ups = new ArrayList<>();
    for (Path m : models) {
      ups.add(Upscaler.open(m, SessionSettings.CPU));
    }
    if (!scales.isEmpty()) {
      System.out.println(
          "| method | scale | PSNR Y (dB) | PSNR RGB (dB) | SSIM Y | beats bicubic (PSNR Y) |");
      System.out.println("|---|---|---|---|---|---|");
    }
    for (int scale : scales) {
      Map<String, double[]> sums = new LinkedHashMap<>();
      double[] bicubicPsnr = new double[crops.size()];
      for (int n = 0; n < crops.size(); n++) {
        BufferedImage hr = crops.get(n);
        int lw = crop / scale;
        BufferedImage lr = Bicubic.resize(hr, lw, lw);
        Map<String, BufferedImage> outs = new LinkedHashMap<>();
        outs.put("bicubic", Bicubic.resize(lr, crop, crop));
        outs.put("Lanczos-3", Resize.resample(lr, crop, crop));
        for (Upscaler up : ups) {
          if (up.scale() == scale) {
            PlanarImage rgb = PlanarImage.rgbOf(lr);
            outs.put(
                up.id(),
                PlanarImage.toImage(Tiler.upscale(up, rgb, 0, 0, t -> {}, CancelToken.NONE), null));
          }
        }
        for (Map.Entry<String, BufferedImage> e : outs.entrySet()) {
          BufferedImage ref = shave(hr, scale);
          BufferedImage got = shave(e.getValue(), scale);
          double psnrY = ImageMetrics.psnrLuma(ref, got);
          if (e.getKey().equals("bicubic")) {
            bicubicPsnr[n] = psnrY;
          }
          double[] s = sums.computeIfAbsent(e.getKey(), k -> new double[4]);
          s[0] += psnrY;
          s[1] += ImageMetrics.psnr(ref, got);
          s[2] += ImageMetrics.ssim(ref, got);
          s[3] += psnrY > bicubicPsnr[n] ? 1 : 0;
        }
      }
      for (Map.Entry<String, double[]> e : sums.entrySet()) {
        double[] s = e.getValue();
        System.out.printf(
            Locale.ROOT,
            "| %s | ×%d | %.2f | %.2f | %.4f | %s |%n",
            e.getKey(),
            scale,
            s[0] / crops.size(),
            s[1] / crops.size(),
            s[2] / crops.size(),
            e.getKey().equals("bicubic") ? "—" : (int) s[3] + "/" + crops.size());
      }
    }
    if (seams) {
      seams(ups, crops.subList(0, Math.min(seamImages, crops.size())));
    }
    ups.forEach(Upscaler::close);
  }

  /**
   * Tiled against whole-image output, per overlap. The input side is chosen so that 64-pixel tiles
   * overlap by exactly the given amount (the tiler spreads tiles evenly, so other sides give larger
   * overlaps): three tiles per axis.
   */
  private static void seams(List<Upscaler> ups, List<BufferedImage> crops) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Seams: %d images, 64-pixel tiles, 3×3 tiles overlapping by exactly the overlap%n%n",
        crops.size());
    System.out.println(
        "| model | overlap | PSNR tiled vs whole (dB, mean / worst) | max difference |");
    System.out.println("|---|---|---|---|");
    int tile = 64;
    int[] overlaps = {4, 8, 16, 24};
    for (Upscaler up : ups) {
      if (up.scale() != 4) {
        continue;
      }
      for (int overlap : overlaps) {
        int side = tile + 2 * (tile - overlap);
        double sum = 0;
        double worst = Double.POSITIVE_INFINITY;
        int max = 0;
        for (BufferedImage hr : crops) {
          PlanarImage rgb = PlanarImage.rgbOf(Bicubic.resize(hr, side, side));
          BufferedImage whole =
              PlanarImage.toImage(Tiler.upscale(up, rgb, 0, 0, t -> {}, CancelToken.NONE), null);
          BufferedImage tiled =
              PlanarImage.toImage(
                  Tiler.upscale(up, rgb, tile, overlap, t -> {}, CancelToken.NONE), null);
          double p = ImageMetrics.psnr(whole, tiled);
          sum += p;
          worst = Math.min(worst, p);
          max = Math.max(max, ImageMetrics.maxDifference(whole, tiled));
        }
        System.out.printf(
            Locale.ROOT,
            "| %s | %d | %.1f / %.1f | %d |%n",
            up.id(),
            overlap,
            sum / crops.size(),
            worst,
            max);
      }
    }
  }

  private static BufferedImage shave(BufferedImage img, int border) {
    return img.getSubimage(
        border, border, img.getWidth() - 2 * border, img.getHeight() - 2 * border);
  }

  private static List<Path> images(List<Path> dirs) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path d : dirs) {
      try (Stream<Path> s = Files.walk(d)) {
        s.filter(Files::isRegularFile)
            .filter(p -> p.toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)$"))
            .filter(p -> !p.getFileName().toString().startsWith("screenshot"))
            .sorted()
            .forEach(out::add);
      }
    }
    return out;
  }
}

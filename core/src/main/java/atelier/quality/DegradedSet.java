package atelier.quality;

import atelier.BadRequestException;
import atelier.image.Resize;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * A labelled good/average/poor set made from good images, the way the offline evaluation and the
 * built-in judge are trained: each source is shrunk to a 1024-px short side and cut into random
 * 512² crops; each crop gives a good image (untouched), an average one (one random {@link
 * Degradation} other than a black frame, severity 0.25–0.45) and a poor one (any degradation,
 * severity 0.7–1.0). Every source has its own generator seeded from the seed and its file name, so
 * the set does not depend on the order or the thread that made it. Stateless.
 *
 * <p>Groups: a source named {@code GROUP__NAME.ext} belongs to GROUP (variants of one artwork share
 * one; {@code tools/quality/eval_sources.py} names them so), any other source is a group of its own
 * (its file name). Every image made from a source carries its group, so training can keep a group
 * within one cross-validation fold.
 */
public final class DegradedSet {
  /** The CSV file {@link #write} leaves next to the class folders ({@code path,label,group}). */
  public static final String LABELS = "labels.csv";

  /** Most crops per source. */
  public static final int MAX_CROPS = 64;

  private DegradedSet() {}

  /**
   * One labelled image made from a crop.
   *
   * @param crop the crop's number within its source
   * @param defect the degradation applied, or {@code null} for a good image
   * @param severity the degradation's severity in 0..1 (0 for a good image)
   */
  public record Entry(
      int crop, QualityLabel label, Degradation defect, double severity, BufferedImage image) {}

  /** What {@link #write} made: images per label, and the sources it skipped with the reason. */
  public record Summary(
      int sources,
      int groups,
      Map<QualityLabel, Integer> counts,
      List<ImageFiles.Skipped> skipped) {
    /** Images written. */
    public int images() {
      return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /** The group of a source file: the name before {@code __}, else the whole file name. */
  public static String group(Path source) {
    String name = source.getFileName().toString();
    int cut = name.indexOf("__");
    return cut > 0 ? name.substring(0, cut) : name;
  }

  /** The generator for one source: it depends only on the seed and the source's file name. */
  public static Random random(Path source, long seed) {
    return new Random(seed * 1_000_003L + source.getFileName().toString().hashCode());
  }

  /**
   * Up to {@code n} 512² crops of the image shrunk to a 1024-px short side (or the whole image when
   * it is smaller; a small square image gives one crop).
   */
  public static List<BufferedImage> crops(BufferedImage src, int n, Random rng) {
    int side = Math.min(src.getWidth(), src.getHeight());
    BufferedImage base =
        side > 1024
            ? Resize.resample(
                src,
                (int) Math.round(src.getWidth() * 1024.0 / side),
                (int) Math.round(src.getHeight() * 1024.0 / side))
            : src;
    List<BufferedImage> out = new ArrayList<>();
    int c = Math.min(512, Math.min(base.getWidth(), base.getHeight()));
    for (int i = 0; i < n; i++) {
      int x = rng.nextInt(base.getWidth() - c + 1);
      int y = rng.nextInt(base.getHeight() - c + 1);
      BufferedImage crop = new BufferedImage(c, c, BufferedImage.TYPE_INT_RGB);
      crop.getGraphics().drawImage(base.getSubimage(x, y, c, c), 0, 0, null);
      out.add(crop);
      if (c == Math.min(base.getWidth(), base.getHeight()) && base.getWidth() == base.getHeight()) {
        break;
      }
    }
    return out;
  }

  /** The good, average and poor image of every crop of {@code src}, in that order per crop. */
  public static List<Entry> degrade(BufferedImage src, int crops, Random rng) {
    Degradation[] defects = Degradation.values();
    List<Entry> out = new ArrayList<>();
    int k = 0;
    for (BufferedImage crop : crops(src, crops, rng)) {
      Degradation mild = defects[rng.nextInt(defects.length - 1)]; // no black frame for average
      Degradation bad = defects[rng.nextInt(defects.length)];
      double mildSeverity = 0.25 + 0.2 * rng.nextDouble();
      BufferedImage avg = mild.apply(crop, mildSeverity, rng);
      double badSeverity = 0.7 + 0.3 * rng.nextDouble();
      BufferedImage poor = bad.apply(crop, badSeverity, rng);
      out.add(new Entry(k, QualityLabel.GOOD, null, 0, crop));
      out.add(new Entry(k, QualityLabel.AVERAGE, mild, mildSeverity, avg));
      out.add(new Entry(k, QualityLabel.POOR, bad, badSeverity, poor));
      k++;
    }
    return out;
  }

  /**
   * Writes the degraded set of the images in {@code inputs} (files or folders) into {@code out}:
   * {@code good/}, {@code average/} and {@code poor/} PNGs named {@code STEM-cK[-DEFECT-SEVERITY]}
   * and {@link #LABELS} with the header {@code path,label,group} (paths relative to {@code out}),
   * which {@code quality train --data} reads. Unreadable sources are skipped and reported.
   *
   * @param threads sources processed at once (the result does not depend on it)
   * @throws BadRequestException when there are no sources, {@code crops} is out of range, or {@code
   *     out} already holds a set or is not a folder (nothing is written then)
   */
  public static Summary write(List<Path> inputs, Path out, int crops, long seed, int threads) {
    if (crops < 1 || crops > MAX_CROPS) {
      throw new BadRequestException(
          "--crops: expected 1 to " + MAX_CROPS + " crops per image, found " + crops);
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new BadRequestException("--out " + out + ": expected a folder, found a file");
    }
    if (Files.exists(out.resolve(LABELS))) {
      throw new BadRequestException(
          "--out "
              + out
              + ": expected a new or empty folder, found a data set there ("
              + LABELS
              + "); choose another folder");
    }
    ImageFiles.Listing listing = ImageFiles.list(inputs);
    if (listing.images().isEmpty()) {
      throw new BadRequestException(
          "images: expected good images (PNG, JPEG, BMP or GIF) to degrade, found none in "
              + inputs.stream().map(Path::toString).collect(Collectors.joining(", "))
              + (listing.skipped().isEmpty()
                  ? ""
                  : " (" + listing.skipped().get(0).reason() + ")"));
    }
    List<Path> sources = listing.images();
    List<String> stems = stems(sources);
    try {
      for (QualityLabel l : QualityLabel.values()) {
        Files.createDirectories(out.resolve(l.id()));
      }
    } catch (IOException e) {
      throw new BadRequestException(
          "--out " + out + ": could not create the class folders: " + e.getMessage(), e);
    }
    List<ImageFiles.Skipped> skipped = new ArrayList<>(listing.skipped());
    List<List<String>> rows = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      List<Future<List<String>>> jobs = new ArrayList<>();
      for (int i = 0; i < sources.size(); i++) {
        Path p = sources.get(i);
        String stem = stems.get(i);
        jobs.add(pool.submit(() -> writeSource(p, stem, out, crops, seed)));
      }
      for (int i = 0; i < jobs.size(); i++) {
        try {
          rows.add(jobs.get(i).get());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof BadRequestException bad) {
            skipped.add(new ImageFiles.Skipped(sources.get(i), bad.getMessage()));
            rows.add(List.of());
          } else if (e.getCause() instanceof RuntimeException r) {
            throw r;
          } else {
            throw new IllegalStateException("degrading " + sources.get(i) + " failed", e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new atelier.CancelledException("quality dataset: interrupted");
    } finally {
      pool.shutdownNow();
    }
    if (rows.stream().allMatch(List::isEmpty)) {
      for (QualityLabel l : QualityLabel.values()) {
        try {
          Files.deleteIfExists(out.resolve(l.id())); // only removed when empty
        } catch (IOException e) {
          // not empty or not ours to remove: leave it
        }
      }
      throw new BadRequestException(
          "images: expected readable good images, found none ("
              + skipped.size()
              + " skipped: "
              + skipped.get(0).path()
              + ": "
              + skipped.get(0).reason()
              + ")");
    }
    Map<QualityLabel, Integer> counts = new EnumMap<>(QualityLabel.class);
    for (QualityLabel l : QualityLabel.values()) {
      counts.put(l, 0);
    }
    StringBuilder csv = new StringBuilder("path,label,group\n");
    Set<String> groups = new HashSet<>();
    int used = 0;
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).isEmpty()) {
        continue;
      }
      used++;
      String group = group(sources.get(i)).replace(',', '_');
      groups.add(group);
      for (String path : rows.get(i)) {
        QualityLabel l = QualityLabel.lookup(path.substring(0, path.indexOf('/')));
        counts.merge(l, 1, Integer::sum);
        csv.append(path).append(',').append(l.id()).append(',').append(group).append('\n');
      }
    }
    try {
      Files.writeString(out.resolve(LABELS), csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "writing " + out.resolve(LABELS) + " failed: " + e.getMessage(), e);
    }
    return new Summary(used, groups.size(), counts, skipped);
  }

  /** File stems, made unique by a numeric suffix when two folders hold one name. */
  private static List<String> stems(List<Path> sources) {
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (Path p : sources) {
      String name = p.getFileName().toString();
      int dot = name.lastIndexOf('.');
      String base = (dot > 0 ? name.substring(0, dot) : name).replace(',', '_');
      String stem = base;
      for (int n = 2; !seen.add(stem); n++) {
        stem = base + "-" + n;
      }
      out.add(stem);
    }
    return out;
  }

  /** Degrades one source and writes its images; returns their paths relative to {@code out}. */
  private static List<String> writeSource(Path p, String stem, Path out, int crops, long seed) {
    BufferedImage src = ImageFiles.read(p);
    List<String> paths = new ArrayList<>();
    for (Entry e : degrade(src, crops, random(p, seed))) {
      String name =
          e.defect() == null
              ? String.format(Locale.ROOT, "%s-c%d.png", stem, e.crop())
              : String.format(
                  Locale.ROOT, "%s-c%d-%s-%.2f.png", stem, e.crop(), e.defect().id(), e.severity());
      String rel = e.label().id() + "/" + name;
      try {
        ImageIO.write(e.image(), "png", out.resolve(rel).toFile());
      } catch (IOException x) {
        throw new UncheckedIOException(
            "writing " + out.resolve(rel) + " failed: " + x.getMessage(), x);
      }
      paths.add(rel);
    }
    return paths;
  }
}

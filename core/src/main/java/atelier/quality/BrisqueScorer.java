package atelier.quality;

import atelier.ModelLoadException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_quality.QualityBRISQUE;

/**
 * BRISQUE (Mittal, Moorthy and Bovik, 2012), a no-reference quality model trained on the LIVE
 * database, run by OpenCV's quality module through JavaCPP. The raw BRISQUE value is about 0
 * (pristine) to 100 (badly distorted); the overall score is {@code 100 − BRISQUE}, clamped to
 * 0..100, so that higher is better like every scorer.
 *
 * <p>The LIVE model files ({@code brisque_model_live.yml}, {@code brisque_range_live.yml}) come
 * from opencv_contrib; JavaCPP's OpenCV natives ship them (under {@code share/opencv4/quality/}),
 * and so does Debian's {@code opencv-data} package. The OpenCV natives are optional: without them
 * {@link #availability()} says why and {@link #open} fails with that reason.
 *
 * <p>Thread-safe: calls into the one OpenCV object are serialised.
 */
public final class BrisqueScorer implements Scorer {
  /** Name on the command line. */
  public static final String NAME = "brisque";

  private static final String MODEL = "brisque_model_live.yml";
  private static final String RANGE = "brisque_range_live.yml";
  private static final Path DEBIAN = Path.of("/usr/share/opencv4/quality");

  private final QualityBRISQUE brisque;
  private boolean closed;

  private BrisqueScorer(QualityBRISQUE brisque) {
    this.brisque = brisque;
  }

  /** Why BRISQUE cannot run here, or empty when it can. */
  public static Optional<String> availability() {
    return Natives.PROBLEM;
  }

  /**
   * Opens BRISQUE with the LIVE model files found in {@code modelDir}, else in the OpenCV natives
   * (copied to {@code cacheDir} on first use), else in {@code /usr/share/opencv4/quality}.
   *
   * @param modelDir a folder with the two model files, or {@code null}
   * @param cacheDir where to copy the bundled model files
   * @throws ModelLoadException when the natives or the model files are missing
   */
  public static BrisqueScorer open(Path modelDir, Path cacheDir) {
    Natives.PROBLEM.ifPresent(
        p -> {
          throw new ModelLoadException("brisque: unavailable: " + p);
        });
    Path folder = modelFolder(modelDir, cacheDir);
    QualityBRISQUE q =
        QualityBRISQUE.create(folder.resolve(MODEL).toString(), folder.resolve(RANGE).toString());
    if (q == null || q.isNull()) {
      throw new ModelLoadException("brisque: OpenCV could not load the LIVE model in " + folder);
    }
    return new BrisqueScorer(q);
  }

  static Path modelFolder(Path modelDir, Path cacheDir) {
    if (modelDir != null) {
      if (hasModel(modelDir)) {
        return modelDir;
      }
      throw new ModelLoadException(
          "brisque: expected " + MODEL + " and " + RANGE + " in " + modelDir + ", found none");
    }
    String base = "/org/bytedeco/opencv/" + Loader.getPlatform() + "/share/opencv4/quality/";
    if (BrisqueScorer.class.getResource(base + MODEL) != null) {
      Path dir = cacheDir.resolve("brisque");
      try {
        Files.createDirectories(dir);
        for (String f : List.of(MODEL, RANGE)) {
          if (!Files.isRegularFile(dir.resolve(f))) {
            try (InputStream in = BrisqueScorer.class.getResourceAsStream(base + f)) {
              Path tmp = Files.createTempFile(dir, f, ".part");
              Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
              Files.move(tmp, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
          }
        }
        return dir;
      } catch (IOException e) {
        throw new ModelLoadException(
            "brisque: could not copy the LIVE model files to " + dir + ": " + e.getMessage(), e);
      }
    }
    if (hasModel(DEBIAN)) {
      return DEBIAN;
    }
    throw new ModelLoadException(
        "brisque: expected the LIVE model files in the OpenCV natives or in "
            + DEBIAN
            + " (Debian package opencv-data), found neither");
  }

  private static boolean hasModel(Path dir) {
    return Files.isRegularFile(dir.resolve(MODEL)) && Files.isRegularFile(dir.resolve(RANGE));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String scale() {
    return "0–100, higher is better (100 − BRISQUE)";
  }

  /** The raw BRISQUE value (lower is better), or NaN where it is undefined (a flat image). */
  public double brisque(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    boolean alpha = image.getColorModel().hasAlpha();
    byte[] bgr = new byte[3 * w * h];
    for (int i = 0; i < argb.length; i++) {
      int p = argb[i];
      int a = alpha ? (p >>> 24) & 0xff : 255;
      // Composite over white, as the other scorers see the image.
      bgr[3 * i] = (byte) ((p & 0xff) * a / 255 + 255 - a);
      bgr[3 * i + 1] = (byte) (((p >> 8) & 0xff) * a / 255 + 255 - a);
      bgr[3 * i + 2] = (byte) (((p >> 16) & 0xff) * a / 255 + 255 - a);
    }
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("brisque: closed");
      }
      try (Mat mat = new Mat(h, w, opencv_core.CV_8UC3)) {
        mat.data().put(bgr);
        try (Scalar s = brisque.compute(mat)) {
          return s.get(0);
        }
      }
    }
  }

  @Override
  public ScorerResult score(ScoringInput input) {
    double raw = brisque(input.image());
    if (!Double.isFinite(raw)) {
      return new ScorerResult(
          NAME,
          0,
          List.of(new Score("brisque", 100, "undefined on a flat image; counted as worst")),
          List.of());
    }
    double overall = Math.max(0, Math.min(100, 100 - raw));
    String reason =
        String.format(
            Locale.ROOT,
            "BRISQUE %.1f (%s)",
            raw,
            raw < 20 ? "clean" : raw < 40 ? "fair" : raw < 60 ? "distorted" : "badly distorted");
    return new ScorerResult(NAME, overall, List.of(new Score("brisque", raw, reason)), List.of());
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      brisque.close();
    }
  }

  /** Loads the OpenCV natives once; remembers why they could not be loaded. */
  private static final class Natives {
    static final Optional<String> PROBLEM = load();

    private static Optional<String> load() {
      try {
        Loader.load(org.bytedeco.opencv.global.opencv_quality.class);
        return Optional.empty();
      } catch (Throwable t) {
        // UnsatisfiedLinkError or NoClassDefFoundError: natives absent for this platform.
        return Optional.of(
            "the OpenCV natives for "
                + platform()
                + " could not be loaded ("
                + t.getClass().getSimpleName()
                + ": "
                + t.getMessage()
                + "); build the CLI without -Dslim, with -Djavacpp.platform=PLATFORM");
      }
    }

    private static String platform() {
      try {
        return Loader.getPlatform();
      } catch (Throwable t) {
        return System.getProperty("os.name") + "-" + System.getProperty("os.arch");
      }
    }
  }
}

package atelier.cli;

import atelier.Progress;
import atelier.ProgressListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A one-line progress bar on standard error: image and step i/N of denoising, or the upscaler's
 * tile i/N, with it/s and time left. Redraws in place with a carriage return; ends the line when a
 * stage finishes. Used only on a terminal.
 */
final class ProgressBar implements ProgressListener {
  private static final int WIDTH = 24;
  private final PrintWriter err;
  private int lastLength;

  ProgressBar(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void onProgress(Progress p) {
    boolean upscale = p.stage() == Progress.Stage.UPSCALE;
    if (p.stage() != Progress.Stage.DENOISE && !upscale) {
      return;
    }
    int filled = (int) Math.round((double) WIDTH * p.step() / p.total());
    String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
    String images =
        upscale
            ? "upscale "
            : p.images() > 1
                ? String.format(Locale.ROOT, "image %d/%d ", p.image() + 1, p.images())
                : "";
    Duration left = p.remaining();
    String line =
        String.format(
            Locale.ROOT,
            "%s[%s] %s %d/%d  %.2f it/s  ETA %s",
            images,
            bar,
            upscale ? "tile" : "step",
            p.step(),
            p.total(),
            p.rate(),
            left == null ? "--:--" : clock(left));
    String pad = " ".repeat(Math.max(0, lastLength - line.length()));
    err.print("\r" + line + pad);
    lastLength = line.length();
    if (p.step() == p.total()) {
      err.println();
      lastLength = 0;
    }
    err.flush();
  }

  static String clock(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
  }
}

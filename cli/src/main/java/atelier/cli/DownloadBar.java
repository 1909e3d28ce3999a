package atelier.cli;

import atelier.model.DownloadListener;
import atelier.model.DownloadProgress;
import atelier.model.Sizes;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows a pull on standard error: on a terminal one line redrawn in place (file, bar, bytes, rate,
 * ETA); otherwise one line per finished file, so logs stay readable.
 */
final class DownloadBar implements DownloadListener {
  private static final int WIDTH = 24;
  private static final long REDRAW_NANOS = 100_000_000L;
  private final PrintWriter err;
  private final boolean terminal;
  private int lastLength;
  private long lastDraw;
  private boolean waitingShown;
  private String converting;

  DownloadBar(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public void onProgress(DownloadProgress p) {
    switch (p.phase()) {
      case WAITING -> {
        if (!waitingShown) {
          waitingShown = true;
          err.println("atelier: waiting for another pull of " + p.model() + " to finish...");
        }
      }
      case CONVERTING -> {
        if (!terminal && !p.file().equals(converting)) {
          converting = p.file();
          err.println("atelier: " + p.model() + " converting: writing " + p.file());
        } else if (terminal && System.nanoTime() - lastDraw > REDRAW_NANOS) {
          lastDraw = System.nanoTime();
          draw(line(p));
        }
      }
      case CHECKING, DOWNLOADING -> {
        if (terminal && System.nanoTime() - lastDraw > REDRAW_NANOS) {
          lastDraw = System.nanoTime();
          draw(line(p));
        }
      }
      case FILE_DONE -> {
        if (!terminal) {
          err.println(
              String.format(
                  Locale.ROOT,
                  "atelier: %s %s (%s)  [%d/%d]",
                  p.model(),
                  p.file(),
                  Sizes.human(p.fileTotal()),
                  p.fileIndex() + 1,
                  p.files()));
        }
      }
      case DONE -> {
        if (terminal && lastLength > 0) {
          draw(line(p));
          err.println();
          lastLength = 0;
        }
      }
      default -> {}
    }
    err.flush();
  }

  static String line(DownloadProgress p) {
    double share = p.total() > 0 ? Math.min(1, (double) p.bytes() / p.total()) : 0;
    int filled = (int) Math.round(WIDTH * share);
    String what =
        p.phase() == DownloadProgress.Phase.CHECKING
            ? "checking " + p.file()
            : p.phase() == DownloadProgress.Phase.CONVERTING
                ? "converting " + p.file()
                : p.file() == null ? p.model() : p.file();
    return String.format(
        Locale.ROOT,
        "%s [%s] %s/%s  %s/s  ETA %s  (%d/%d)",
        what,
        "#".repeat(filled) + "-".repeat(WIDTH - filled),
        Sizes.human(p.bytes()),
        Sizes.human(p.total()),
        Sizes.human((long) p.rate()),
        p.eta() == null ? "--:--" : ProgressBar.clock(p.eta()),
        Math.min(p.fileIndex() + 1, p.files()),
        p.files());
  }

  private void draw(String line) {
    String pad = " ".repeat(Math.max(0, lastLength - line.length()));
    err.print("\r" + line + pad);
    lastLength = line.length();
  }
}

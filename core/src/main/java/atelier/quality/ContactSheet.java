package atelier.quality;

import atelier.image.Resize;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A contact sheet: a grid of thumbnails, each with its rank, name and a few score lines, kept
 * images framed in green and rejected ones in red, so people can look rather than read. Stateless.
 */
public final class ContactSheet {
  private static final int PAD = 8;
  private static final int LINE = 15;
  private static final Color KEPT = new Color(0x2e, 0xa0, 0x43);
  private static final Color REJECTED = new Color(0xc6, 0x28, 0x28);

  private ContactSheet() {}

  /**
   * One cell.
   *
   * @param image the full image (shrunk here)
   * @param title the first line, e.g. {@code "#1 00001-42.png"}
   * @param lines further lines (scores, rejection)
   * @param kept {@code true} kept, {@code false} rejected, {@code null} neither (plain scoring)
   */
  public record Cell(BufferedImage image, String title, List<String> lines, Boolean kept) {}

  /**
   * Renders the sheet.
   *
   * @param columns cells per row (at least 1)
   * @param thumb the thumbnails' longest side in pixels (at least 32)
   */
  public static BufferedImage render(List<Cell> cells, int columns, int thumb) {
    if (columns < 1 || thumb < 32) {
      throw new IllegalArgumentException(
          "contact sheet: expected columns ≥ 1 and thumbnails ≥ 32 px, found "
              + columns
              + ", "
              + thumb);
    }
    int lines = 1 + cells.stream().mapToInt(c -> c.lines().size()).max().orElse(0);
    int cellW = thumb + 2 * PAD;
    int cellH = thumb + 2 * PAD + lines * LINE;
    int cols = Math.max(1, Math.min(columns, cells.size()));
    int rows = Math.max(1, (cells.size() + cols - 1) / cols);
    BufferedImage sheet = new BufferedImage(cols * cellW, rows * cellH, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(new Color(0x20, 0x20, 0x24));
      g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
      Font bold = new Font(Font.SANS_SERIF, Font.BOLD, 12);
      Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
      for (int i = 0; i < cells.size(); i++) {
        Cell c = cells.get(i);
        int x0 = (i % cols) * cellW;
        int y0 = (i / cols) * cellH;
        BufferedImage t = thumbnail(c.image(), thumb);
        int tx = x0 + PAD + (thumb - t.getWidth()) / 2;
        int ty = y0 + PAD + (thumb - t.getHeight()) / 2;
        g.drawImage(t, tx, ty, null);
        if (c.kept() != null) {
          g.setColor(c.kept() ? KEPT : REJECTED);
          g.fillRect(tx - 3, ty - 3, t.getWidth() + 6, 3);
          g.fillRect(tx - 3, ty + t.getHeight(), t.getWidth() + 6, 3);
          g.fillRect(tx - 3, ty, 3, t.getHeight());
          g.fillRect(tx + t.getWidth(), ty, 3, t.getHeight());
        }
        int y = y0 + PAD + thumb + LINE;
        g.setFont(bold);
        g.setColor(Color.WHITE);
        g.drawString(fit(g, c.title(), thumb), x0 + PAD, y);
        g.setFont(plain);
        g.setColor(new Color(0xd0, 0xd0, 0xd0));
        for (String line : c.lines()) {
          y += LINE;
          g.drawString(fit(g, line, thumb), x0 + PAD, y);
        }
      }
    } finally {
      g.dispose();
    }
    return sheet;
  }

  private static BufferedImage thumbnail(BufferedImage img, int side) {
    double f = (double) side / Math.max(img.getWidth(), img.getHeight());
    if (f >= 1) {
      return img;
    }
    return Resize.resample(
        img,
        Math.max(1, (int) Math.round(img.getWidth() * f)),
        Math.max(1, (int) Math.round(img.getHeight() * f)));
  }

  /** The text, cut with an ellipsis to fit {@code width} pixels. */
  private static String fit(Graphics2D g, String text, int width) {
    if (g.getFontMetrics().stringWidth(text) <= width) {
      return text;
    }
    String t = text;
    while (!t.isEmpty() && g.getFontMetrics().stringWidth(t + "…") > width) {
      t = t.substring(0, t.length() - 1);
    }
    return t + "…";
  }
}

package atelier.image;

import atelier.image.basemap.Fonts;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A labelled grid of images on one sheet, as a parameter sweep shows them: column labels above, row
 * labels to the left, an optional title line on top; each image drawn unscaled in a cell the size
 * of the largest image, top-left aligned. Stateless.
 */
public final class GridSheet {
  private GridSheet() {}

  /** Where the grid puts things: cell size, label areas, and the sheet's size. */
  public record Layout(int cellW, int cellH, int left, int top, int width, int height) {
    /** The top-left corner of cell (column, row). */
    public int[] cell(int column, int row) {
      return new int[] {left + column * cellW, top + row * cellH};
    }
  }

  /**
   * Draws the sheet.
   *
   * @param rows images by row, then column (rows may be short: missing cells stay white)
   * @param columnLabels one per column (may be empty for no header)
   * @param rowLabels one per row (may be empty for no label column)
   * @param title a line above the grid, or null
   */
  public static BufferedImage render(
      List<List<BufferedImage>> rows,
      List<String> columnLabels,
      List<String> rowLabels,
      String title) {
    Layout l = layout(rows, columnLabels, rowLabels, title);
    BufferedImage sheet = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, l.width(), l.height());
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      for (int r = 0; r < rows.size(); r++) {
        for (int c = 0; c < rows.get(r).size(); c++) {
          int[] at = l.cell(c, r);
          g.drawImage(rows.get(r).get(c), at[0], at[1], null);
        }
      }
      g.setColor(Color.BLACK);
      int fontPx = fontPx(l.cellH());
      for (int c = 0; c < columnLabels.size(); c++) {
        FontMetrics m = fitFont(g, columnLabels.get(c), fontPx, l.cellW() - 8);
        String s = fit(columnLabels.get(c), m, l.cellW() - 8);
        int x = l.left() + c * l.cellW() + (l.cellW() - m.stringWidth(s)) / 2;
        g.drawString(s, x, l.top() - m.getDescent() - fontPx / 3);
      }
      for (int r = 0; r < rowLabels.size(); r++) {
        FontMetrics m = fitFont(g, rowLabels.get(r), fontPx, l.left() - 16);
        String s = fit(rowLabels.get(r), m, l.left() - 16);
        int y = l.top() + r * l.cellH() + (l.cellH() + m.getAscent() - m.getDescent()) / 2;
        g.drawString(s, (l.left() - m.stringWidth(s)) / 2, y);
      }
      if (title != null) {
        g.setFont(font(title, fontPx));
        FontMetrics m = g.getFontMetrics();
        g.drawString(fit(title, m, l.width() - 16), 8, fontPx + fontPx / 3);
      }
    } finally {
      g.dispose();
    }
    return sheet;
  }

  /** The geometry {@link #render} uses. */
  public static Layout layout(
      List<List<BufferedImage>> rows,
      List<String> columnLabels,
      List<String> rowLabels,
      String title) {
    int cellW = 1;
    int cellH = 1;
    int cols = columnLabels.size();
    for (List<BufferedImage> row : rows) {
      cols = Math.max(cols, row.size());
      for (BufferedImage img : row) {
        cellW = Math.max(cellW, img.getWidth());
        cellH = Math.max(cellH, img.getHeight());
      }
    }
    int fontPx = fontPx(cellH);
    int line = fontPx * 5 / 3;
    int top = (columnLabels.isEmpty() ? 0 : line) + (title == null ? 0 : line);
    int left = 0;
    if (!rowLabels.isEmpty()) {
      int longest = rowLabels.stream().mapToInt(String::length).max().orElse(0);
      left = Math.min(Math.max(cellW / 2, 64), 16 + longest * fontPx * 6 / 10);
    }
    int nRows = Math.max(rows.size(), rowLabels.size());
    return new Layout(cellW, cellH, left, top, left + cols * cellW, top + nRows * cellH);
  }

  private static int fontPx(int cellH) {
    return Math.max(12, Math.min(48, cellH / 14));
  }

  private static Font font(String text, int px) {
    String family;
    try {
      family = Fonts.resolve("auto", text.isBlank() ? "x" : text);
    } catch (atelier.BadRequestException e) {
      family = Font.DIALOG;
    }
    return new Font(family, Font.PLAIN, px);
  }

  /** Sets the largest font up to {@code px} (down to 8) that fits the text in {@code width}. */
  private static FontMetrics fitFont(Graphics2D g, String text, int px, int width) {
    Font f = font(text, px);
    g.setFont(f);
    FontMetrics m = g.getFontMetrics();
    while (m.stringWidth(text) > width && f.getSize() > 8) {
      f = f.deriveFont((float) f.getSize() - 1);
      g.setFont(f);
      m = g.getFontMetrics();
    }
    return m;
  }

  /** The text cut with an ellipsis to fit a width. */
  private static String fit(String s, FontMetrics m, int width) {
    if (m.stringWidth(s) <= width || s.length() < 2) {
      return s;
    }
    String t = s;
    while (t.length() > 1 && m.stringWidth(t + "…") > width) {
      t = t.substring(0, t.length() - 1);
    }
    return t + "…";
  }
}

package atelier.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** A deterministic synthetic image with gradients, edges and text, for timing runs. */
final class TestCard {
  private TestCard() {}

  static BufferedImage make(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setPaint(new GradientPaint(0, 0, new Color(30, 60, 140), w, h, new Color(240, 200, 90)));
    g.fillRect(0, 0, w, h);
    g.setStroke(new BasicStroke(Math.max(1, w / 256f)));
    for (int i = 0; i < 24; i++) {
      g.setColor(Color.getHSBColor(i / 24f, 0.7f, 0.9f));
      g.drawOval(w / 2 - i * w / 50, h / 2 - i * h / 50, i * w / 25, i * h / 25);
    }
    g.setColor(Color.WHITE);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(8, w / 16)));
    g.drawString("Atelier 512", w / 10, h / 5);
    g.dispose();
    return img;
  }
}

package atelier.image.basemap;

import atelier.BadRequestException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.font.TextAttribute;
import java.awt.font.TextLayout;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Draws text centred on the image (an art-name basemap: {@code canvas:1024,512 → text:"Atelier"}):
 * one or more lines (split at newlines or a literal {@code \n}), each centred horizontally, the
 * block's ink centred on the image. Antialiased Java2D rendering with an installed font ({@link
 * Fonts}); an outline stroke is drawn under the fill.
 *
 * @param text the text, not blank
 * @param font the font family, resolved from {@code auto} to an installed one at construction
 * @param size font size in pixels (1..4096), or 0 to fit the box {@code maxWidth × maxHeight}
 * @param weight CSS-like weight 100..900 (400 regular, 700 bold)
 * @param color fill colour
 * @param stroke outline width as a share of the font size (0..0.5; 0.04 is 4 px at 100 px)
 * @param strokeColor outline colour
 * @param maxWidth share of the image width the text may take when sized automatically (0..1]
 * @param maxHeight share of the image height the text may take when sized automatically (0..1]
 */
public record TextOp(
    String text,
    String font,
    int size,
    int weight,
    Rgb color,
    double stroke,
    Rgb strokeColor,
    double maxWidth,
    double maxHeight)
    implements BasemapOp {
  public TextOp {
    if (text == null || text.isBlank()) {
      throw new BadRequestException("basemap text: text: expected some text, found none");
    }
    text = text.replace("\\n", "\n");
    font = Fonts.resolve(font, text);
    Check.range("text", "size", size, 0, 4096);
    Check.range("text", "weight", weight, 100, 900);
    Check.notNull("text", "color", color);
    Check.range("text", "stroke", stroke, 0, 0.5);
    Check.notNull("text", "strokeColor", strokeColor);
    Check.positive("text", "maxWidth", maxWidth, 1);
    Check.positive("text", "maxHeight", maxHeight, 1);
  }

  static TextOp of(OpArgs a) {
    String size = a.string("size", "auto");
    int px;
    try {
      px = size.equalsIgnoreCase("auto") ? 0 : Integer.parseInt(size.strip());
    } catch (NumberFormatException e) {
      throw new BadRequestException(
          "basemap text: size: expected auto or a whole number of pixels, found '" + size + "'");
    }
    return new TextOp(
        a.string("text", null),
        a.string("font", "auto"),
        px,
        weight(a.string("weight", "700")),
        a.color("color", Rgb.BLACK),
        a.number("stroke", 0),
        a.color("strokeColor", Rgb.WHITE),
        a.number("maxWidth", 0.85),
        a.number("maxHeight", 0.6));
  }

  /** Reads a weight: 100..900 or thin, light, regular, medium, semibold, bold, extrabold, black. */
  static int weight(String v) {
    return switch (v.strip().toLowerCase(Locale.ROOT)) {
      case "thin" -> 100;
      case "light" -> 300;
      case "regular", "normal" -> 400;
      case "medium" -> 500;
      case "semibold" -> 600;
      case "bold" -> 700;
      case "extrabold" -> 800;
      case "black", "heavy" -> 900;
      default -> {
        try {
          yield Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
          throw new BadRequestException(
              "basemap text: weight: expected 100..900 or thin, light, regular, medium, semibold,"
                  + " bold, extrabold, black, found '"
                  + v
                  + "'");
        }
      }
    };
  }

  /** Java2D's weight for a CSS weight. */
  private static float awtWeight(int w) {
    if (w < 250) {
      return TextAttribute.WEIGHT_EXTRA_LIGHT;
    } else if (w < 350) {
      return TextAttribute.WEIGHT_LIGHT;
    } else if (w < 450) {
      return TextAttribute.WEIGHT_REGULAR;
    } else if (w < 550) {
      return TextAttribute.WEIGHT_MEDIUM;
    } else if (w < 650) {
      return TextAttribute.WEIGHT_DEMIBOLD;
    } else if (w < 750) {
      return TextAttribute.WEIGHT_BOLD;
    } else if (w < 850) {
      return TextAttribute.WEIGHT_EXTRABOLD;
    }
    return TextAttribute.WEIGHT_ULTRABOLD;
  }

  private Font awtFont(float px) {
    Map<TextAttribute, Object> attrs = new java.util.HashMap<>();
    attrs.put(TextAttribute.FAMILY, font);
    attrs.put(TextAttribute.WEIGHT, awtWeight(weight));
    attrs.put(TextAttribute.SIZE, px);
    return Font.getFont(attrs);
  }

  /** The text's outline at a size, lines stacked and centred on x = 0, first baseline y = 0. */
  private Shape outline(float px, FontRenderContext frc) {
    Font f = awtFont(px);
    Path2D.Double all = new Path2D.Double();
    double y = 0;
    boolean first = true;
    for (String line : text.split("\n", -1)) {
      TextLayout tl = new TextLayout(line.isEmpty() ? " " : line, f, frc);
      if (!first) {
        y += tl.getAscent();
      }
      first = false;
      AffineTransform at = AffineTransform.getTranslateInstance(-tl.getAdvance() / 2, y);
      all.append(tl.getOutline(at), false);
      y += tl.getDescent() + tl.getLeading();
    }
    return all;
  }

  /** The font size used on a w × h image. */
  public int sizeFor(int w, int h, FontRenderContext frc) {
    if (size > 0) {
      return size;
    }
    float ref = 100;
    Rectangle2D b = outline(ref, frc).getBounds2D();
    double bw = b.getWidth() + stroke * ref;
    double bh = b.getHeight() + stroke * ref;
    double scale = Math.min(maxWidth * w / bw, maxHeight * h / bh);
    return Math.max(1, (int) Math.floor(ref * scale));
  }

  @Override
  public OpKind kind() {
    return OpKind.TEXT;
  }

  @Override
  public BufferedImage apply(BufferedImage image) {
    BufferedImage out = Pixels.of(image).toImage();
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      FontRenderContext frc = g.getFontRenderContext();
      int px = sizeFor(out.getWidth(), out.getHeight(), frc);
      Shape shape = outline(px, frc);
      Rectangle2D b = shape.getBounds2D();
      AffineTransform centre =
          AffineTransform.getTranslateInstance(
              out.getWidth() / 2.0 - b.getCenterX(), out.getHeight() / 2.0 - b.getCenterY());
      shape = centre.createTransformedShape(shape);
      if (stroke > 0) {
        g.setColor(new Color(strokeColor.argb(), true));
        g.setStroke(
            new BasicStroke((float) (stroke * px), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(shape);
      }
      g.setColor(new Color(color.argb(), true));
      g.fill(shape);
    } finally {
      g.dispose();
    }
    return out;
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text", text.replace("\n", "\\n"));
    m.put("font", font);
    m.put("size", size == 0 ? "auto" : size);
    m.put("weight", weight);
    m.put("color", color);
    m.put("stroke", stroke);
    if (stroke > 0) {
      m.put("strokeColor", strokeColor);
    }
    if (size == 0) {
      m.put("maxWidth", maxWidth);
      m.put("maxHeight", maxHeight);
    }
    return m;
  }
}

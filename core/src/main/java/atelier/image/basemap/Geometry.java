package atelier.image.basemap;

import atelier.BadRequestException;
import atelier.image.Resize;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The geometric ops: resize to a size, crop to an aspect ratio, pad to an aspect or margin. */
public final class Geometry {
  private Geometry() {}

  /**
   * An aspect ratio {@code w:h} (e.g. {@code 9:20}, {@code 16:9}, {@code 1.5:1}).
   *
   * @param w width part, more than 0
   * @param h height part, more than 0
   */
  public record Aspect(double w, double h) {
    public Aspect {
      if (!(w > 0 && h > 0 && Double.isFinite(w) && Double.isFinite(h))) {
        throw new BadRequestException(
            "aspect: expected two positive numbers w:h, found " + w + ":" + h);
      }
    }

    /** Parses {@code w:h} (or {@code w/h}, {@code wxh}). */
    public static Aspect parse(String text) {
      String[] p = text.strip().split("[:/x]");
      try {
        if (p.length == 2) {
          return new Aspect(Double.parseDouble(p[0]), Double.parseDouble(p[1]));
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new BadRequestException("aspect: expected w:h such as 16:9, found '" + text + "'");
    }

    double ratio() {
      return w / h;
    }

    @Override
    public String toString() {
      return OpSyntax.value(w) + ":" + OpSyntax.value(h);
    }
  }

  /**
   * Resizes to exactly {@code width × height} with {@link Resize#fit} (Lanczos-3).
   *
   * @param width 1..8192
   * @param height 1..8192
   * @param fit cover (crop the centre), contain (pad with transparency) or stretch
   */
  public record ResizeTo(int width, int height, Resize.Fit fit) implements BasemapOp {
    public ResizeTo {
      Check.range("resize", "width", width, 1, 8192);
      Check.range("resize", "height", height, 1, 8192);
      Check.notNull("resize", "fit", fit);
    }

    static ResizeTo of(OpArgs a) {
      return new ResizeTo(
          a.integer("width", 512),
          a.integer("height", 512),
          a.choice("fit", Resize.Fit.COVER, Resize.Fit::lookup));
    }

    @Override
    public OpKind kind() {
      return OpKind.RESIZE;
    }

    @Override
    public long[] outputSize(int ignoredWidth, int ignoredHeight) {
      return new long[] {width, height};
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      return Pixels.of(Resize.fit(image, width, height, fit)).toImage();
    }

    @Override
    public Map<String, Object> params() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("width", width);
      m.put("height", height);
      m.put("fit", fit.cliName());
      return m;
    }
  }

  /** Where a crop keeps the image. */
  public enum Anchor {
    CENTER,
    TOP,
    BOTTOM,
    LEFT,
    RIGHT;

    /** Finds an anchor by name; unknown names get the list of valid ones. */
    public static Anchor lookup(String name) {
      String n = name.strip().toLowerCase(Locale.ROOT);
      for (Anchor a : values()) {
        if (a.name().toLowerCase(Locale.ROOT).equals(n) || (a == CENTER && n.equals("centre"))) {
          return a;
        }
      }
      throw new BadRequestException(
          "anchor: expected one of center, top, bottom, left, right, found '" + name + "'");
    }
  }

  /**
   * Crops the largest rectangle of an aspect ratio. The kept size is the image's full width or
   * height and the other side {@code round(side × ratio)}; the offset is centred (rounded down) or
   * at the anchor's edge.
   */
  public record CropAspect(Aspect aspect, Anchor anchor) implements BasemapOp {
    public CropAspect {
      Check.notNull("crop", "aspect", aspect);
      Check.notNull("crop", "anchor", anchor);
    }

    static CropAspect of(OpArgs a) {
      String aspect = a.string("aspect", null);
      Check.notNull("crop", "aspect", aspect);
      return new CropAspect(
          Aspect.parse(aspect), a.choice("anchor", Anchor.CENTER, Anchor::lookup));
    }

    /** {x, y, width, height} of the crop in a w × h image. */
    int[] rect(int w, int h) {
      double r = aspect.ratio();
      int cw = w;
      int chh = h;
      if ((double) w / h > r) {
        cw = Math.max(1, (int) Math.round(h * r));
      } else {
        chh = Math.max(1, (int) Math.round(w / r));
      }
      int x =
          switch (anchor) {
            case LEFT -> 0;
            case RIGHT -> w - cw;
            default -> (w - cw) / 2;
          };
      int y =
          switch (anchor) {
            case TOP -> 0;
            case BOTTOM -> h - chh;
            default -> (h - chh) / 2;
          };
      return new int[] {x, y, cw, chh};
    }

    @Override
    public OpKind kind() {
      return OpKind.CROP;
    }

    @Override
    public long[] outputSize(int width, int height) {
      int[] r = rect(width, height);
      return new long[] {r[2], r[3]};
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      int[] r = rect(image.getWidth(), image.getHeight());
      int[] px = image.getRGB(r[0], r[1], r[2], r[3], null, 0, r[2]);
      return new Pixels(r[2], r[3], px).toImage();
    }

    @Override
    public Map<String, Object> params() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("aspect", aspect.toString());
      m.put("anchor", anchor);
      return m;
    }
  }

  /**
   * Pads with a colour: first a margin of {@code round(margin × max(w, h))} pixels on every side,
   * then the short side grows to the aspect ratio (if given), the image centred (offset rounded
   * down).
   *
   * @param aspect target aspect ratio, or null to keep the aspect
   * @param margin 0..1, a share of the longer side
   * @param color the padding colour
   */
  public record Pad(Aspect aspect, double margin, Rgb color) implements BasemapOp {
    public Pad {
      Check.range("pad", "margin", margin, 0, 1);
      Check.notNull("pad", "color", color);
      if (aspect == null && margin == 0) {
        throw new BadRequestException(
            "basemap pad: expected aspect=w:h and/or margin=share, found neither");
      }
    }

    static Pad of(OpArgs a) {
      String aspect = a.string("aspect", null);
      return new Pad(
          aspect == null ? null : Aspect.parse(aspect),
          a.number("margin", 0),
          a.color("color", Rgb.WHITE));
    }

    /** {outWidth, outHeight, x, y} for a w × h image whose padded size has been checked. */
    int[] layout(int w, int h) {
      long[] size = outputSize(w, h);
      int ow = Math.toIntExact(size[0]);
      int oh = Math.toIntExact(size[1]);
      return new int[] {ow, oh, (ow - w) / 2, (oh - h) / 2};
    }

    @Override
    public long[] outputSize(int w, int h) {
      long m = Math.round(margin * Math.max(w, h));
      long ow = w + 2 * m;
      long oh = h + 2 * m;
      if (aspect != null) {
        double r = aspect.ratio();
        if ((double) ow / oh < r) {
          ow = Math.max(ow, Math.round(oh * r));
        } else {
          oh = Math.max(oh, Math.round(ow / r));
        }
      }
      return new long[] {ow, oh};
    }

    @Override
    public OpKind kind() {
      return OpKind.PAD;
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      int w = image.getWidth();
      int h = image.getHeight();
      int[] l = layout(w, h);
      Pixels out = Pixels.filled(l[0], l[1], color.argb());
      int[] src = image.getRGB(0, 0, w, h, null, 0, w);
      for (int y = 0; y < h; y++) {
        System.arraycopy(src, y * w, out.argb, (y + l[3]) * l[0] + l[2], w);
      }
      return out.toImage();
    }

    @Override
    public Map<String, Object> params() {
      Map<String, Object> m = new LinkedHashMap<>();
      if (aspect != null) {
        m.put("aspect", aspect.toString());
      }
      m.put("margin", margin);
      m.put("color", color);
      return m;
    }
  }
}

package atelier.recipe;

import atelier.image.Resize;
import atelier.pipeline.InitImage;
import atelier.pipeline.InpaintSettings;
import atelier.pipeline.Outpaint;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * How a recipe's {@link Recipe.Extend} brings an input picture to the generation size: the picture
 * scaled to fit inside it and the canvas extended around it by outpainting, or cropped and
 * repainted. Stateless.
 */
final class RecipeExtend {
  private RecipeExtend() {}

  /** Outpainting needs sides in multiples of 8 pixels ({@link Outpaint}). */
  private static final int STEP = 8;

  /**
   * What a job generates from its picture.
   *
   * @param init the basemap the generation starts from (the extended canvas when outpainting)
   * @param inpaint the outpainting's mask and settings, or null for image-to-image
   * @param strength how much is repainted
   * @param note what the record says about it
   */
  record Plan(InitImage init, atelier.pipeline.Inpaint inpaint, double strength, String note) {}

  /**
   * The plan for {@code picture} at a generation size of {@code width × height}.
   *
   * @param picture the basemap (the input picture after the recipe's chain), its source the file
   * @param finalAspect the aspect the output is cropped to afterwards (an upscale with cover fit),
   *     or 0 for none: the picture is placed inside what that crop keeps, so none of it is lost
   */
  static Plan plan(
      Recipe.Extend extend, InitImage picture, int width, int height, double finalAspect) {
    BufferedImage img = picture.image();
    int pw = img.getWidth();
    int ph = img.getHeight();
    String from = pw + "×" + ph;
    String to = width + "×" + height;
    if (extend.method() == Recipe.Extend.Method.CROP) {
      return new Plan(
          picture,
          null,
          extend.strength(),
          String.format(
              Locale.ROOT,
              "recipe: the input picture (%s) was cropped to the aspect of %s and repainted by"
                  + " image-to-image at strength %s (extend.method crop)",
              from,
              to,
              extend.strength()));
    }
    // What the final crop keeps, in generation pixels, shrunk to the 8-pixel grid of the sides.
    double visW = width;
    double visH = height;
    if (finalAspect > 0) {
      if ((double) width / height > finalAspect) {
        visW = height * finalAspect;
      } else {
        visH = width / finalAspect;
      }
    }
    int x0 = ceil8((width - visW) / 2);
    int y0 = ceil8((height - visH) / 2);
    int availW = Math.max(STEP, floor8((width + visW) / 2) - x0);
    int availH = Math.max(STEP, floor8((height + visH) / 2) - y0);
    double scale = Math.min((double) availW / pw, (double) availH / ph);
    int sw = fit(pw * scale, availW);
    int sh = fit(ph * scale, availH);
    if (sw == width && sh == height) {
      return new Plan(
          picture,
          null,
          extend.strength(),
          String.format(
              Locale.ROOT,
              "recipe: the input picture (%s) already has the aspect of %s; nothing to outpaint,"
                  + " repainted by image-to-image at strength %s",
              from,
              to,
              extend.strength()));
    }
    int left = x0 + (availW - sw) / 2 / STEP * STEP;
    int top = y0 + (availH - sh) / 2 / STEP * STEP;
    Outpaint sides = new Outpaint(left, top, width - sw - left, height - sh - top);
    InitImage scaled =
        new InitImage(
            Resize.fit(img, sw, sh, Resize.Fit.STRETCH), picture.source(), picture.sha256());
    InpaintSettings settings =
        new InpaintSettings(
            null, null, extend.blur(), extend.fill(), null, null, null, null, sides.toString());
    Outpaint.Prepared p = Outpaint.prepare(scaled, settings);
    return new Plan(
        p.init(),
        p.inpaint(),
        extend.strength(),
        String.format(
            Locale.ROOT,
            "recipe: the input picture (%s) was kept whole, scaled to %d×%d, and the canvas"
                + " extended to %s by outpainting %s (masked content %s, strength %s); the painted area"
                + " is those strips plus %d px of overlap into the picture, outside it the"
                + " picture's pixels are pasted back",
            from,
            sw,
            sh,
            to,
            sides,
            extend.fill(),
            extend.strength(),
            2 * extend.blur()));
  }

  private static int ceil8(double v) {
    return (int) Math.ceil(v / STEP - 1e-9) * STEP;
  }

  private static int floor8(double v) {
    return (int) Math.floor(v / STEP + 1e-9) * STEP;
  }

  /** A scaled side: rounded to a multiple of 8, at least 8 and at most {@code max}. */
  private static int fit(double side, int max) {
    return Math.min(max, Math.max(STEP, (int) Math.round(side / STEP) * STEP));
  }
}

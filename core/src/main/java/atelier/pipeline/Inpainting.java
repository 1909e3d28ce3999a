package atelier.pipeline;

import atelier.BadRequestException;
import atelier.diffusion.Scheduler;
import atelier.diffusion.TorchGenerator;
import atelier.image.ImageTensors;
import atelier.image.Resize;
import atelier.model.Tensor;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Inpainting within one run, in diffusers' StableDiffusionInpaintPipeline order with A1111's mask
 * handling. Prepared once per run ({@link #prepare}): the mask is made grey, brought to the
 * basemap's size, inverted and blurred (A1111), the basemap and mask brought to the generation size
 * (or, with "only masked", a crop around the mask), the masked area filled, and the mask binarised
 * at 0.5 and nearest-resized to the latents (diffusers). Then per image:
 *
 * <ul>
 *   <li>{@link #start}: the draws of diffusers' {@code prepare_latents} and {@code
 *       prepare_mask_latents} from the image's generator — the basemap's posterior sample (below
 *       strength 1, or for a 4-channel UNet), Atelier's latent {@code noise} fill, the start noise,
 *       and the masked basemap's posterior sample;
 *   <li>{@link #unetInput}: a 9-channel UNet gets {@code [latents, mask, masked latents]};
 *   <li>{@link #afterStep}: a 4-channel UNet gets diffusers' legacy blend, the kept area set back
 *       to the basemap noised to the next timestep;
 *   <li>{@link #finish}: paste into the full picture (only masked) and paste the original back
 *       through the blurred mask (A1111).
 * </ul>
 *
 * <p>Not thread-safe; one per run, images one after another.
 */
final class Inpainting {
  private final boolean nineChannels;
  private final InpaintSettings settings;
  private final int latentH;
  private final int latentW;
  private final Tensor image;
  private final Tensor maskedImage;
  private final float[] latentMask;
  private final BufferedImage original;
  private final InpaintMask.Plane overlay;
  private final int[] pasteTo;
  private float[] imageLatents;
  private float[] noise;
  private float[] maskedLatents;

  private Inpainting(
      boolean nineChannels,
      InpaintSettings settings,
      int latentH,
      int latentW,
      Tensor image,
      Tensor maskedImage,
      float[] latentMask,
      BufferedImage original,
      InpaintMask.Plane overlay,
      int[] pasteTo) {
    this.nineChannels = nineChannels;
    this.settings = settings;
    this.latentH = latentH;
    this.latentW = latentW;
    this.image = image;
    this.maskedImage = maskedImage;
    this.latentMask = latentMask;
    this.original = original;
    this.overlay = overlay;
    this.pasteTo = pasteTo;
  }

  /**
   * Prepares the mask and pictures of a run.
   *
   * @param notes receives what was changed about the mask (resized, made grey)
   * @throws BadRequestException for an all-black mask (nothing to inpaint)
   */
  static Inpainting prepare(
      int unetChannels, GenerationRequest request, GenerationSettings run, List<String> notes) {
    Inpaint inpaint = request.inpaint();
    InpaintSettings s = inpaint.settings();
    BufferedImage init = request.init().image();
    int iw = init.getWidth();
    int ih = init.getHeight();
    InpaintMask.Plane mask = InpaintMask.grey(inpaint.mask());
    if (InpaintMask.hasColour(inpaint.mask())) {
      notes.add("mask: a colour picture; made grey by luma (white repaints, black keeps)");
    }
    if (mask.width() != iw || mask.height() != ih) {
      notes.add(
          "mask: "
              + mask.width()
              + "×"
              + mask.height()
              + " resized to the basemap's "
              + iw
              + "×"
              + ih);
      mask = InpaintMask.resize(mask, iw, ih, Resize.Fit.STRETCH);
    }
    if (s.invert()) {
      mask = InpaintMask.invert(mask);
    }
    if (!mask.any()) {
      throw new BadRequestException(
          "mask "
              + s.mask()
              + ": expected white (repaint) pixels, found "
              + (s.invert() ? "an all-white mask (inverted: all black)" : "an all-black mask")
              + ": nothing to inpaint");
    }
    InpaintMask.Plane blurred = InpaintMask.blur(mask, s.blur());
    int w = run.width();
    int h = run.height();
    BufferedImage picture;
    InpaintMask.Plane genMask;
    BufferedImage original;
    InpaintMask.Plane overlay;
    int[] pasteTo = null;
    if (s.onlyMasked()) {
      int[] r =
          InpaintMask.expandCropRegion(InpaintMask.cropRegion(blurred, s.padding()), w, h, iw, ih);
      pasteTo = r;
      original = opaque(init);
      overlay = blurred;
      picture =
          Resize.fit(
              opaque(init).getSubimage(r[0], r[1], r[2] - r[0], r[3] - r[1]),
              w,
              h,
              Resize.Fit.STRETCH);
      genMask = crop(blurred, r);
      genMask = InpaintMask.resize(genMask, w, h, Resize.Fit.STRETCH);
    } else {
      Resize.Fit fit = Resize.Fit.lookup(run.fit());
      picture = opaque(Resize.fit(init, w, h, fit));
      genMask = InpaintMask.resize(blurred, w, h, fit);
      int[] doubled = new int[genMask.values().length];
      for (int i = 0; i < doubled.length; i++) {
        doubled[i] = Math.min(255, genMask.values()[i] * 2);
      }
      original = picture;
      overlay = new InpaintMask.Plane(w, h, doubled);
    }
    if (s.fillMode() == InpaintSettings.Fill.FILL) {
      picture = InpaintMask.fill(picture, genMask);
    }
    Tensor image = ImageTensors.toTensor(picture);
    float[] masked = image.floatData().clone();
    int plane = w * h;
    boolean[] repaint = new boolean[plane];
    for (int i = 0; i < plane; i++) {
      repaint[i] = genMask.values()[i] / 255f >= 0.5f;
      if (repaint[i]) {
        masked[i] = 0;
        masked[plane + i] = 0;
        masked[2 * plane + i] = 0;
      }
    }
    if (!anyTrue(repaint)) {
      int brightest = 0;
      for (int v : genMask.values()) {
        brightest = Math.max(brightest, v);
      }
      throw new BadRequestException(
          "mask "
              + s.mask()
              + ": expected some of it at least half white (128 or more after the blur) to"
              + " repaint, found "
              + brightest
              + " at most: nothing would be repainted");
    }
    int lh = h / 8;
    int lw = w / 8;
    float[] latentMask = new float[lh * lw];
    for (int y = 0; y < lh; y++) {
      for (int x = 0; x < lw; x++) {
        latentMask[y * lw + x] = repaint[(8 * y) * w + 8 * x] ? 1f : 0f;
      }
    }
    return new Inpainting(
        unetChannels == 9,
        s,
        lh,
        lw,
        image,
        Tensor.floats(masked, 1, 3, h, w),
        latentMask,
        original,
        overlay,
        pasteTo);
  }

  /**
   * A 9-channel inpainting UNet without a mask: the whole image is repainted, as A1111's {@code
   * txt2img_image_conditioning} and {@code img2img_image_conditioning} give an inpainting model (a
   * mask of ones, the masked image mid-grey — 0 in [-1, 1] — VAE-encoded) and as diffusers'
   * StableDiffusionInpaintPipeline does with an all-white mask (its masked image, {@code image ·
   * (mask < 0.5)}, is 0 everywhere). Text-to-image runs at strength 1, so no basemap is encoded;
   * image-to-image starts from the basemap fitted to the generation size. Nothing is pasted back.
   *
   * @param notes receives a note saying so
   */
  static Inpainting wholeImage(
      GenerationRequest request, GenerationSettings run, List<String> notes) {
    int w = run.width();
    int h = run.height();
    Tensor image = null;
    if (request.init() != null) {
      BufferedImage fitted = Resize.fit(request.init().image(), w, h, Resize.Fit.lookup(run.fit()));
      image = ImageTensors.toTensor(opaque(fitted));
    }
    float[] latentMask = new float[(h / 8) * (w / 8)];
    java.util.Arrays.fill(latentMask, 1f);
    notes.add(
        "an inpainting model without a mask: the whole image is repainted (a mask of ones and a"
            + " mid-grey masked image, as A1111 and diffusers give inpainting models)");
    return new Inpainting(
        true,
        new InpaintSettings(null, null, 0, null, null, null, false, null, null),
        h / 8,
        w / 8,
        image,
        Tensor.floats(new float[3 * h * w], 1, 3, h, w),
        latentMask,
        null,
        null,
        null);
  }

  private static boolean anyTrue(boolean[] v) {
    for (boolean b : v) {
      if (b) {
        return true;
      }
    }
    return false;
  }

  /** An RGB copy, transparent pixels over white (as the VAE sees them). */
  private static BufferedImage opaque(BufferedImage src) {
    int w = src.getWidth();
    int h = src.getHeight();
    boolean alpha = src.getColorModel().hasAlpha();
    int[] px = src.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < px.length; i++) {
      int p = px[i];
      if (alpha) {
        int a = p >>> 24;
        int rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
          int v = (p >> shift) & 0xff;
          rgb |= ((v * a + 255 * (255 - a) + 127) / 255) << shift;
        }
        p = rgb;
      }
      px[i] = p & 0xffffff;
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    out.setRGB(0, 0, w, h, px, 0, w);
    return out;
  }

  private static InpaintMask.Plane crop(InpaintMask.Plane m, int[] r) {
    int cw = r[2] - r[0];
    int ch = r[3] - r[1];
    int[] v = new int[cw * ch];
    for (int y = 0; y < ch; y++) {
      System.arraycopy(m.values(), (r[1] + y) * m.width() + r[0], v, y * cw, cw);
    }
    return new InpaintMask.Plane(cw, ch, v);
  }

  /** The latent mask {@code [H/8 · W/8]}, 1 = repaint. */
  float[] latentMask() {
    return latentMask;
  }

  /**
   * One image's start latents, drawing from {@code generator} in diffusers' order.
   *
   * @param one the image's settings (its variation seed, if any, moves the start noise as in
   *     text-to-image)
   * @param strengthMax whether strength is 1 (pure noise, as diffusers' {@code is_strength_max})
   */
  float[] start(
      StableDiffusion model,
      TorchGenerator generator,
      GenerationSettings one,
      Scheduler scheduler,
      int startIndex,
      boolean strengthMax) {
    int plane = latentH * latentW;
    int size = 4 * plane;
    float scale = (float) model.info().vaeScalingFactor();
    imageLatents = null;
    if (!strengthMax || !nineChannels) {
      imageLatents = scaled(model.vaeEncoder().encode(image, generator), scale);
    }
    float[] source = imageLatents;
    if (!strengthMax && settings.fillMode() == InpaintSettings.Fill.NOISE) {
      float[] r = generator.randn(size);
      source = select(imageLatents, r);
    } else if (!strengthMax && settings.fillMode() == InpaintSettings.Fill.NOTHING) {
      source = select(imageLatents, new float[size]);
    }
    noise = VariationNoise.start(generator, one, 4, latentH, latentW);
    float[] latents;
    if (strengthMax) {
      latents = noise.clone();
      float sigma = (float) scheduler.initNoiseSigma();
      for (int i = 0; i < latents.length; i++) {
        latents[i] *= sigma;
      }
    } else {
      latents = scheduler.addNoise(source, noise, startIndex);
    }
    maskedLatents = scaled(model.vaeEncoder().encode(maskedImage, generator), scale);
    return latents;
  }

  /** {@code keep} where the mask keeps, {@code repaint} where it repaints (per channel). */
  private float[] select(float[] keep, float[] repaint) {
    int plane = latentMask.length;
    float[] out = new float[keep.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = latentMask[i % plane] > 0 ? repaint[i] : keep[i];
    }
    return out;
  }

  private static float[] scaled(Tensor z, float scale) {
    float[] v = z.floatData().clone();
    for (int i = 0; i < v.length; i++) {
      v[i] *= scale;
    }
    return v;
  }

  /** The UNet's input for the scaled latents: with the mask and masked latents for 9 channels. */
  float[] unetInput(float[] scaledLatents) {
    if (!nineChannels) {
      return scaledLatents;
    }
    float[] in = new float[scaledLatents.length + latentMask.length + maskedLatents.length];
    System.arraycopy(scaledLatents, 0, in, 0, scaledLatents.length);
    System.arraycopy(latentMask, 0, in, scaledLatents.length, latentMask.length);
    System.arraycopy(
        maskedLatents, 0, in, scaledLatents.length + latentMask.length, maskedLatents.length);
    return in;
  }

  /**
   * diffusers' legacy blend for a 4-channel UNet after the step at {@code index}: the kept area
   * becomes the basemap's latents noised to the next timestep (not noised after the last step).
   */
  void afterStep(float[] latents, Scheduler scheduler, int index, boolean last) {
    if (nineChannels) {
      return;
    }
    float[] proper = last ? imageLatents : scheduler.addNoise(imageLatents, noise, index + 1);
    int plane = latentMask.length;
    for (int i = 0; i < latents.length; i++) {
      if (latentMask[i % plane] == 0) {
        latents[i] = proper[i];
      }
    }
  }

  /**
   * The finished picture: with only-masked, the generated crop resized into the full picture; then
   * the original pasted back through the blurred mask unless turned off.
   */
  BufferedImage finish(BufferedImage generated) {
    BufferedImage out = generated;
    if (pasteTo != null) {
      int pw = pasteTo[2] - pasteTo[0];
      int ph = pasteTo[3] - pasteTo[1];
      BufferedImage scaled = Resize.fit(generated, pw, ph, Resize.Fit.STRETCH);
      BufferedImage full =
          new BufferedImage(original.getWidth(), original.getHeight(), BufferedImage.TYPE_INT_RGB);
      int w = original.getWidth();
      int h = original.getHeight();
      full.setRGB(0, 0, w, h, original.getRGB(0, 0, w, h, null, 0, w), 0, w);
      full.setRGB(pasteTo[0], pasteTo[1], pw, ph, scaled.getRGB(0, 0, pw, ph, null, 0, pw), 0, pw);
      out = full;
    }
    if (settings.pasteBack()) {
      out = InpaintMask.pasteBack(out, original, overlay);
    }
    return out;
  }
}

package atelier.image.basemap;

import atelier.BadRequestException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The registry of basemap operations by name: each kind knows its positional parameters (so {@code
 * temperature:3200} means {@code temperature:kelvin=3200}) and how to build its op from arguments.
 * Unknown names are rejected with the list of valid ones.
 */
public enum OpKind {
  CANVAS(
      "canvas",
      "A plain canvas (starts a chain without an input image).",
      true,
      Canvas::of,
      "width",
      "height",
      "color"),
  TEMPERATURE(
      "temperature",
      "Colour temperature in Kelvin (lower is warmer) and green-magenta" + " tint.",
      false,
      Temperature::of,
      "kelvin",
      "tint"),
  BRIGHTNESS(
      "brightness", "Adds a share of full white (-1..1).", false, ToneOps.Brightness::of, "amount"),
  CONTRAST(
      "contrast",
      "Scales the distance from mid-grey (1 = unchanged).",
      false,
      ToneOps.Contrast::of,
      "amount"),
  GAMMA(
      "gamma",
      "Gamma correction (above 1 brightens the mid-tones).",
      false,
      ToneOps.Gamma::of,
      "value"),
  LEVELS(
      "levels",
      "Input black/white points, mid-tone gamma, output range.",
      false,
      ToneOps.Levels::of,
      "black",
      "white",
      "gamma"),
  CURVE(
      "curve",
      "A tone curve through points x/y;x/y;… (monotone cubic).",
      false,
      ToneCurve::of,
      "points"),
  HUE_SATURATION(
      "hue-saturation",
      "Hue rotation (degrees), saturation factor, lightness shift.",
      false,
      HueSaturation::of,
      "hue",
      "saturation",
      "lightness"),
  BACKGROUND(
      "background",
      "Fills the background with a colour, keeping the subject (by alpha,"
          + " light or dark key, or flood fill from the borders).",
      false,
      Background::of,
      "color"),
  GRADIENT(
      "gradient",
      "A linear or radial gradient, behind the subject or over the whole image.",
      false,
      Gradient::of,
      "shape"),
  NOISE(
      "noise",
      "Gaussian noise, or Disco Diffusion's Perlin noise (colour/grey/mixed).",
      false,
      Noise::of,
      "type"),
  BLUR("blur", "Gaussian blur (sigma in pixels).", false, Blur::of, "sigma"),
  DILATE(
      "dilate",
      "Grows light areas (a mask's white) by a radius in pixels.",
      false,
      Morphology.Dilate::of,
      "radius"),
  ERODE(
      "erode",
      "Shrinks light areas (a mask's white) by a radius in pixels.",
      false,
      Morphology.Erode::of,
      "radius"),
  FEATHER(
      "feather",
      "Softens a mask's edge: white fades to black over a radius (outward, or inside).",
      false,
      Morphology.Feather::of,
      "radius"),
  RESIZE(
      "resize",
      "Resizes to width x height (cover crops, contain pads, stretch).",
      false,
      Geometry.ResizeTo::of,
      "width",
      "height",
      "fit"),
  CROP(
      "crop",
      "Crops the largest rectangle of an aspect ratio (w:h).",
      false,
      Geometry.CropAspect::of,
      "aspect",
      "anchor"),
  PAD(
      "pad",
      "Pads to an aspect ratio (w:h) and/or by a margin, with a colour.",
      false,
      Geometry.Pad::of,
      "aspect"),
  TEXT(
      "text",
      "Draws text (Latin or CJK) centred, with size, weight, stroke and colours.",
      false,
      TextOp::of,
      "text"),
  LOGO("logo", "Places a logo (PNG with alpha) centred with padding.", false, Logo::of, "file");

  private final String opName;
  private final String description;
  private final boolean source;
  private final Function<OpArgs, BasemapOp> factory;
  private final List<String> positional;

  OpKind(
      String opName,
      String description,
      boolean source,
      Function<OpArgs, BasemapOp> factory,
      String... positional) {
    this.opName = opName;
    this.description = description;
    this.source = source;
    this.factory = factory;
    this.positional = List.of(positional);
  }

  /** The name ops are written with. */
  public String opName() {
    return opName;
  }

  /** One line for help and {@code basemap --list}. */
  public String description() {
    return description;
  }

  /** Whether the op makes an image from nothing (it may start a chain without an input). */
  public boolean isSource() {
    return source;
  }

  /** The parameters bare values fill, in order. */
  public List<String> positional() {
    return positional;
  }

  /** All op names, in registry order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(OpKind::opName).toList();
  }

  /**
   * Finds a kind by name ({@code hsl} is accepted for {@code hue-saturation}).
   *
   * @throws BadRequestException listing the valid names
   */
  public static OpKind lookup(String name) {
    String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    if (n.equals("hsl")) {
      return HUE_SATURATION;
    }
    for (OpKind k : values()) {
      if (k.opName.equals(n)) {
        return k;
      }
    }
    throw new BadRequestException(
        "basemap op: expected one of "
            + Arrays.stream(values()).map(OpKind::opName).collect(Collectors.joining(", "))
            + ", found '"
            + name
            + "'");
  }

  /** Parses one op from its text form ({@link OpSyntax}). */
  public static BasemapOp parse(String spec) {
    OpSyntax.Parsed p = OpSyntax.parse(spec);
    return lookup(p.name()).create(p.named(), p.positional());
  }

  /** Builds an op from named arguments (as a recipe's map form gives them). */
  public BasemapOp create(Map<String, String> named) {
    return create(named, List.of());
  }

  /**
   * Builds an op from named and bare arguments.
   *
   * @throws BadRequestException on a bad value, an unknown parameter, or too many bare values
   */
  public BasemapOp create(Map<String, String> named, List<String> bare) {
    if (bare.size() > positional.size()) {
      throw new BadRequestException(
          "basemap "
              + opName
              + ": expected at most "
              + positional.size()
              + " unnamed value"
              + (positional.size() == 1 ? "" : "s")
              + (positional.isEmpty() ? "" : " (" + String.join(", ", positional) + ")")
              + ", found "
              + bare.size()
              + ": "
              + bare);
    }
    Map<String, String> all = new LinkedHashMap<>();
    for (int i = 0; i < bare.size(); i++) {
      all.put(positional.get(i), bare.get(i));
    }
    for (Map.Entry<String, String> e : named.entrySet()) {
      if (all.put(e.getKey(), e.getValue()) != null) {
        throw new BadRequestException(
            "basemap " + opName + ": expected " + e.getKey() + " once, found it unnamed and named");
      }
    }
    OpArgs args = new OpArgs(opName, all);
    BasemapOp op = factory.apply(args);
    args.rejectUnknown();
    return op;
  }
}

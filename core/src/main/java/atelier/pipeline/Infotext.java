package atelier.pipeline;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The A1111 "parameters" text that A1111, ComfyUI, InvokeAI and image sites read from a PNG: the
 * prompt, a {@code Negative prompt:} line, then {@code Key: value} pairs separated by commas, with
 * a value that holds a comma, colon or quote written as a JSON string (as A1111's {@code quote}
 * does). Stateless.
 */
public final class Infotext {
  private Infotext() {}

  /** A1111's sampler name for an Atelier scheduler name. */
  public static String samplerName(String scheduler) {
    return switch (scheduler) {
      case "euler" -> "Euler";
      case "euler-a" -> "Euler a";
      case "ddim" -> "DDIM";
      case "dpm++2m" -> "DPM++ 2M";
      case "dpm++2m-karras" -> "DPM++ 2M Karras";
      case "lcm" -> "LCM";
      case "pndm" -> "PLMS";
      default -> scheduler;
    };
  }

  /** The parameters text for one image. */
  public static String format(ImageRecord r) {
    GenerationSettings s = r.settings();
    StringBuilder b = new StringBuilder(s.prompt());
    if (!s.negativePrompt().isEmpty()) {
      b.append("\nNegative prompt: ").append(s.negativePrompt());
    }
    Map<String, String> kv = new LinkedHashMap<>();
    kv.put("Steps", Integer.toString(s.steps()));
    kv.put("Sampler", samplerName(s.scheduler()));
    kv.put("CFG scale", number(s.guidance()));
    kv.put("Seed", Long.toString(s.seed()));
    kv.put("Size", s.width() + "x" + s.height());
    kv.put("Model hash", r.model().shortHash());
    kv.put("Model", r.model().id());
    if (s.strength() != null) {
      kv.put("Denoising strength", number(s.strength()));
    }
    if (s.scheduler().equals("ddim") && s.eta() != 0) {
      kv.put("Eta DDIM", number(s.eta()));
    }
    if (s.symmetry() != null) {
      Symmetry y = s.symmetry();
      kv.put(
          "Symmetry",
          (y.horizontal() ? "h" : "") + (y.vertical() ? "v" : "") + " " + number(y.fraction()));
    }
    if (s.inpaint() != null) { // A1111's inpainting keys
      InpaintSettings m = s.inpaint();
      kv.put("Mask blur", Integer.toString(m.blur()));
      kv.put("Masked content", m.fillMode().a1111Name());
      if (m.invert()) {
        kv.put("Mask mode", "Inpaint not masked");
      }
      if (m.onlyMasked()) {
        kv.put("Inpaint area", "Only masked");
        kv.put("Masked area padding", Integer.toString(m.padding()));
      }
    }
    kv.put("Version", r.software());
    b.append('\n');
    boolean first = true;
    for (Map.Entry<String, String> e : kv.entrySet()) {
      b.append(first ? "" : ", ").append(e.getKey()).append(": ").append(quote(e.getValue()));
      first = false;
    }
    return b.toString();
  }

  /** A number as A1111 prints it: integers without ".0", others as the shortest decimal. */
  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v).toLowerCase(Locale.ROOT);
  }

  static String quote(String v) {
    if (v.indexOf(',') < 0 && v.indexOf(':') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0) {
      return v;
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : v.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}

package atelier.pipeline;

import atelier.diffusion.SchedulerKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The A1111 "parameters" text that A1111, ComfyUI, InvokeAI and image sites read from a PNG: the
 * prompt, a {@code Negative prompt:} line, then {@code Key: value} pairs separated by commas, with
 * a value that holds a comma, colon or quote written as a JSON string (as A1111's {@code quote}
 * does). Stateless.
 */
public final class Infotext {
  private Infotext() {}

  /** A1111's sampler name for an Atelier scheduler name ({@link SchedulerKind#a1111Name}). */
  public static String samplerName(String scheduler) {
    for (SchedulerKind kind : SchedulerKind.values()) {
      if (kind.cliName().equals(scheduler)) {
        return kind.a1111Name();
      }
    }
    return scheduler;
  }

  /**
   * A1111's sampler name for an Atelier scheduler name, read back: the scheduler, if any has it.
   */
  public static java.util.Optional<String> schedulerFor(String samplerName) {
    String wanted = samplerName.strip();
    for (SchedulerKind k : SchedulerKind.values()) {
      if (samplerName(k.cliName()).equalsIgnoreCase(wanted)) {
        return java.util.Optional.of(k.cliName());
      }
    }
    try {
      return java.util.Optional.of(SchedulerKind.lookup(wanted).cliName());
    } catch (atelier.BadRequestException e) {
      return java.util.Optional.empty();
    }
  }

  /**
   * A parameters text read back, as A1111 reads one: the prompt lines, the lines from {@code
   * Negative prompt:} on, and the last line's {@code Key: value} pairs (when it has at least three;
   * quoted values unquoted) in their order.
   */
  public record Parsed(String prompt, String negativePrompt, Map<String, String> params) {
    public Parsed {
      params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
  }

  private static final Pattern PARAM =
      Pattern.compile("\\s*(\\w[\\w \\-/]+):\\s*(\"(?:\\\\.|[^\\\\\"])+\"|[^,]*)(?:,|$)");

  /** Reads a parameters text (A1111's, or Atelier's own). */
  public static Parsed parse(String text) {
    String[] lines = text.strip().split("\n", -1);
    List<String> body = new ArrayList<>(Arrays.asList(lines).subList(0, lines.length - 1));
    String last = lines[lines.length - 1];
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(last);
    int found = 0;
    while (m.find()) {
      if (!m.group(0).isBlank()) {
        found++;
      }
    }
    if (found < 3) {
      body.add(last);
    } else {
      m.reset();
      while (m.find()) {
        if (!m.group(0).isBlank()) {
          params.put(m.group(1).strip(), unquote(m.group(2).strip()));
        }
      }
    }
    StringBuilder prompt = new StringBuilder();
    StringBuilder negative = new StringBuilder();
    boolean inNegative = false;
    for (String raw : body) {
      String line = raw.strip();
      if (line.startsWith("Negative prompt:")) {
        inNegative = true;
        line = line.substring("Negative prompt:".length()).strip();
      }
      StringBuilder b = inNegative ? negative : prompt;
      b.append(b.length() == 0 ? "" : "\n").append(line);
    }
    return new Parsed(prompt.toString(), negative.toString(), params);
  }

  private static String unquote(String v) {
    if (v.length() < 2 || v.charAt(0) != '"' || v.charAt(v.length() - 1) != '"') {
      return v;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < v.length() - 1; i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length() - 1) {
        char e = v.charAt(++i);
        b.append(
            switch (e) {
              case 'n' -> '\n';
              case 't' -> '\t';
              default -> e;
            });
      } else {
        b.append(c);
      }
    }
    return b.toString();
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
    if (s.varies()) {
      kv.put("Variation seed", Long.toString(s.subseed()));
      kv.put("Variation seed strength", number(s.subseedStrength()));
    }
    if (s.strength() != null) {
      kv.put("Denoising strength", number(s.strength()));
    }
    if (s.clipSkip() > 1) {
      kv.put("Clip skip", Integer.toString(s.clipSkip()));
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
    if (!r.model().loras().isEmpty()) {
      kv.put(
          "Lora hashes",
          r.model().loras().stream()
              .map(l -> l.name() + ": " + l.hash())
              .collect(java.util.stream.Collectors.joining(", ")));
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

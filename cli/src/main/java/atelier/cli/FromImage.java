package atelier.cli;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.jobs.ControlSpec;
import atelier.model.ModelStore;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.ControlSettings;
import atelier.pipeline.GenerationSettings;
import atelier.pipeline.ImageRecord;
import atelier.pipeline.Infotext;
import atelier.pipeline.InpaintSettings;
import atelier.pipeline.ModelRef;
import atelier.pipeline.Symmetry;
import atelier.recipe.ProvenancePng;
import atelier.upscale.HiresFix;
import atelier.upscale.UpscalePng;
import atelier.upscale.UpscaleRecord;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code generate --from IMAGE.png} takes from a stored image: Atelier's record with its
 * upscale and hires-fix steps, or A1111's {@code parameters} text (read as A1111 reads it), with
 * one note per stored setting that Atelier does not repeat. Unset fields are null (the model's
 * defaults); the options on the command line override each field.
 *
 * @param inpaint the recorded inpainting (mask and settings), or null
 * @param controls the recorded ControlNets that can be repeated here (each control image checked by
 *     its SHA-256 when read), or null
 * @param guessMode the recorded ControlNet guess mode, or null
 * @param model the recorded model, or null (A1111 names a checkpoint Atelier has not installed)
 * @param notes what is dropped, one line each
 */
record FromImage(
    String prompt,
    String negativePrompt,
    Integer width,
    Integer height,
    Integer steps,
    Double guidance,
    String scheduler,
    Double eta,
    Long seed,
    String init,
    String initSha256,
    Double strength,
    String fit,
    Symmetry symmetry,
    Integer clipSkip,
    Long subseed,
    Double subseedStrength,
    InpaintSettings inpaint,
    List<ControlSpec> controls,
    Boolean guessMode,
    Integer upscale,
    String upscaler,
    Double hiresStrength,
    Integer hiresSteps,
    ModelRef model,
    List<String> notes) {

  /** A1111 keys that describe an image without changing how it is made again alone. */
  private static final Set<String> HARMLESS =
      Set.of("Version", "Batch size", "Batch pos", "Model hash", "Size", "Seed", "Model");

  /**
   * Reads a PNG: Atelier's record when it has one, else A1111's parameters text.
   *
   * @param home where installed models are looked up for an A1111 model name
   * @param modelGiven whether {@code --model} chose the model (no note about the stored one)
   * @throws BadRequestException when the file is unreadable or holds neither
   */
  static FromImage read(Path png, AtelierHome home, boolean modelGiven) {
    Map<String, String> texts = ArtworkPng.texts(png);
    if (texts.containsKey(ArtworkPng.RECORD)) {
      return atelier(png, texts, ArtworkPng.read(png), home);
    }
    String parameters = texts.get(ArtworkPng.PARAMETERS);
    if (parameters == null || parameters.isBlank()) {
      throw new BadRequestException(
          "image "
              + png
              + ": expected an Atelier record or A1111 parameters (PNG text chunk 'atelier' or"
              + " 'parameters'), found "
              + (texts.isEmpty() ? "no text chunks" : "only " + texts.keySet()));
    }
    return a1111(png, Infotext.parse(parameters), home, modelGiven);
  }

  private static FromImage atelier(
      Path png, Map<String, String> texts, ImageRecord record, AtelierHome home) {
    GenerationSettings s = record.settings();
    List<String> notes = new ArrayList<>();
    List<UpscaleRecord> upscales = UpscalePng.records(texts);
    String params = texts.getOrDefault(ArtworkPng.PARAMETERS, "");
    boolean generatedUpscale =
        !upscales.isEmpty() && Infotext.parse(params).params().containsKey("Hires upscale");
    Integer upscale = null;
    String upscaler = null;
    Double hiresStrength = null;
    Integer hiresSteps = null;
    if (generatedUpscale) {
      UpscaleRecord first = upscales.get(0);
      upscale = first.scale();
      upscaler = first.model();
      String hires = texts.get(HiresFix.HIRES_RECORD);
      if (hires != null) {
        try {
          HiresFix.HiresRecord h = ArtworkPng.json().readValue(hires, HiresFix.HiresRecord.class);
          hiresStrength = h.strength();
          hiresSteps = h.steps();
        } catch (IOException e) {
          throw new BadRequestException(
              "image " + png + ": chunk " + HiresFix.HIRES_RECORD + " is not a hires record", e);
        }
      }
    }
    for (UpscaleRecord later : upscales.subList(generatedUpscale ? 1 : 0, upscales.size())) {
      notes.add(
          "not repeated: the later upscale ×"
              + later.scale()
              + " with "
              + later.model()
              + " (an 'atelier upscale' step); run atelier upscale on the new image");
    }
    String provenance = texts.get(ProvenancePng.PROVENANCE);
    if (provenance != null) {
      notes.add(
          "not repeated: the other stages of recipe "
              + recipeName(provenance)
              + " (basemap, selection, upscale); this makes its generate stage again; run"
              + " atelier recipe run for the whole recipe");
    }
    List<ControlSpec> controls = controls(png, s.controls(), home, notes);
    return new FromImage(
        s.prompt(),
        s.negativePrompt(),
        s.width(),
        s.height(),
        s.steps(),
        s.guidance(),
        s.scheduler(),
        s.eta(),
        s.seed(),
        s.init() == null ? null : basemap(png, s.init()),
        s.initSha256(),
        s.strength(),
        s.fit(),
        s.symmetry(),
        s.clipSkip(),
        s.subseed(),
        s.subseedStrength(),
        s.inpaint(),
        controls,
        controls == null ? null : s.guessMode(),
        upscale,
        upscaler,
        hiresStrength,
        hiresSteps,
        record.model(),
        List.copyOf(notes));
  }

  /**
   * The recorded ControlNets that can run here: a ControlNet folder or graph found as stored or
   * beside the PNG, an installed id, or a fused slot; the control image found as a basemap is. Each
   * one that cannot is a note saying why, and is left out.
   */
  private static List<ControlSpec> controls(
      Path png, List<ControlSettings> stored, AtelierHome home, List<String> notes) {
    if (stored == null) {
      return null;
    }
    List<ControlSpec> out = new ArrayList<>();
    for (ControlSettings c : stored) {
      String what =
          "not repeated: controlnet "
              + c.model()
              + " (image "
              + (c.image() == null ? "not a file" : c.image())
              + ", scale "
              + c.scale()
              + "): ";
      if (c.image() == null) {
        notes.add(
            what
                + "its control image was uploaded or made by a recipe, not a file the record"
                + " names (give --control MODEL:IMAGE)");
        continue;
      }
      String image = basemap(png, c.image());
      if (!Files.isRegularFile(Path.of(image))) {
        notes.add(
            what
                + "the control image is not found from here or beside "
                + png
                + " (give --control MODEL:IMAGE)");
        continue;
      }
      String model = controlNet(png, c.model(), home);
      if (model == null) {
        boolean path = c.model().contains("/") || c.model().contains("\\");
        notes.add(
            what
                + (path
                    ? "no ControlNet folder or graph is there any more (give --control)"
                    : "no installed ControlNet or folder has that name (atelier models import DIR"
                        + " --kind controlnet --id "
                        + c.model()
                        + ", or give --control)"));
        continue;
      }
      out.add(
          new ControlSpec(
              model, image, null, c.imageSha256(), c.scale(), c.start(), c.end(), c.preprocess()));
    }
    return out.isEmpty() ? null : out;
  }

  /** A recorded ControlNet reference as it can be used from here, or null when it cannot. */
  private static String controlNet(Path png, String model, AtelierHome home) {
    if (model.matches("[1-9][0-9]?")) {
      return model; // a fused slot of the model's own UNet
    }
    String path = basemap(png, model);
    if (Files.exists(Path.of(path))) {
      return path;
    }
    try {
      Optional<ModelStore.StoredModel> m = ModelStore.of(home).find(model);
      return m.isPresent() && m.get().state() == ModelStore.State.READY ? model : null;
    } catch (RuntimeException e) {
      return null; // a name that is no valid id is not installed
    }
  }

  private static String recipeName(String provenance) {
    try {
      JsonNode recipe = ArtworkPng.json().readTree(provenance).path("recipe");
      return recipe.path("name").asText("?") + " " + recipe.path("version").asText("");
    } catch (IOException e) {
      return "(unreadable provenance)";
    }
  }

  /**
   * A stored basemap path as it can be opened from here: absolute or found from the current folder
   * as stored, else relative to the PNG's own folder (where it usually sits).
   */
  static String basemap(Path png, String stored) {
    Path p = Path.of(stored);
    if (p.isAbsolute() || Files.exists(p)) {
      return stored;
    }
    Path parent = png.toAbsolutePath().getParent();
    Path beside = parent == null ? p : parent.resolve(p);
    return Files.exists(beside) ? beside.toString() : stored;
  }

  private static FromImage a1111(
      Path png, Infotext.Parsed parsed, AtelierHome home, boolean modelGiven) {
    Map<String, String> p = new LinkedHashMap<>(parsed.params());
    List<String> notes = new ArrayList<>();
    Integer width = null;
    Integer height = null;
    String size = p.get("Size");
    if (size != null) {
      String[] wh = size.split("x");
      width = wh.length == 2 ? integer(png, "Size", wh[0]) : null;
      height = wh.length == 2 ? integer(png, "Size", wh[1]) : null;
      if (wh.length != 2) {
        throw bad(png, "Size", "WIDTHxHEIGHT", size);
      }
    }
    String scheduler = null;
    String sampler = p.remove("Sampler");
    String schedule = p.remove("Schedule type");
    if (sampler != null) {
      String name = sampler;
      if (schedule != null && schedule.equalsIgnoreCase("Karras")) {
        name = sampler + " Karras";
        schedule = null;
      }
      scheduler = Infotext.schedulerFor(name).orElse(null);
      if (scheduler == null) {
        notes.add(
            "Sampler: "
                + name
                + ": Atelier has no such sampler; using the model's default (give -s NAME)");
      }
    }
    if (schedule != null && !schedule.equalsIgnoreCase("Automatic")) {
      notes.add("Schedule type: " + schedule + ": not an Atelier setting; ignored");
    }
    String rawStrength = p.get("Denoising strength");
    Double strength = number(png, p, "Denoising strength");
    Integer upscale = null;
    Double hiresStrength = null;
    Integer hiresSteps = null;
    String hiresUpscale = p.remove("Hires upscale");
    if (hiresUpscale != null) {
      double factor = decimal(png, "Hires upscale", hiresUpscale);
      if (factor == 2 || factor == 3 || factor == 4 || factor == 8) {
        upscale = (int) factor;
        hiresStrength = strength;
        Integer hs = integerOrNull(png, p.remove("Hires steps"), "Hires steps");
        hiresSteps = hs == null || hs == 0 ? null : hs;
        String upscaler = p.remove("Hires upscaler");
        if (upscaler != null) {
          notes.add(
              "Hires upscaler: "
                  + upscaler
                  + ": upscaling with Atelier's installed upscaler instead (give --upscaler ID)");
        }
      } else {
        notes.add(
            "Hires upscale: "
                + hiresUpscale
                + ": Atelier upscales by 2, 3, 4 or 8; no hires pass (give --upscale N)");
        p.remove("Hires steps");
        p.remove("Hires upscaler");
      }
      strength = null; // in txt2img, A1111's denoising strength is the hires pass's
    } else if (strength != null) {
      notes.add(
          "Denoising strength: "
              + rawStrength
              + ": image-to-image from a basemap the PNG does not hold; making text-to-image"
              + " (give --init IMAGE --strength "
              + rawStrength
              + ")");
    }
    ModelRef model = null;
    String modelName = p.get("Model");
    String hash = p.get("Model hash");
    if (modelName != null || hash != null) {
      String id = modelName != null ? modelName : hash;
      boolean installed = false;
      try {
        installed = modelName != null && ModelStore.of(home).find(modelName).isPresent();
      } catch (RuntimeException e) {
        installed = false; // a name that is no valid id is not installed
      }
      if (installed) {
        model = new ModelRef(modelName, modelName, hash, null, null);
      } else if (!modelGiven) {
        notes.add(
            "Model: "
                + id
                + (hash != null && modelName != null ? " (hash " + hash + ")" : "")
                + ": not an installed Atelier model; using the default model (give --model)");
      }
    }
    Long seed = p.containsKey("Seed") ? longValue(png, "Seed", p.get("Seed")) : null;
    Long subseed = null;
    Double subseedStrength = number(png, p, "Variation seed strength");
    String variation = p.remove("Variation seed");
    if (subseedStrength != null && subseedStrength > 0) {
      subseed = variation == null ? null : longValue(png, "Variation seed", variation);
    } else {
      subseedStrength = null;
    }
    FromImage f =
        new FromImage(
            parsed.prompt(),
            parsed.negativePrompt(),
            width,
            height,
            integerOrNull(png, p.remove("Steps"), "Steps"),
            number(png, p, "CFG scale"),
            scheduler,
            number(png, p, "Eta DDIM"),
            seed,
            null,
            null,
            null,
            null,
            null,
            integerOrNull(png, p.remove("Clip skip"), "Clip skip"),
            subseed,
            subseedStrength,
            null,
            null,
            null,
            upscale,
            null,
            hiresStrength,
            hiresSteps,
            model,
            notes);
    for (Map.Entry<String, String> e : p.entrySet()) {
      if (!HARMLESS.contains(e.getKey())) {
        notes.add(e.getKey() + ": " + e.getValue() + ": not an Atelier setting; ignored");
      }
    }
    return f;
  }

  private static Double number(Path png, Map<String, String> p, String key) {
    String v = p.remove(key);
    return v == null ? null : decimal(png, key, v);
  }

  private static double decimal(Path png, String key, String v) {
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw bad(png, key, "a number", v);
    }
  }

  private static Integer integerOrNull(Path png, String v, String key) {
    return v == null ? null : integer(png, key, v);
  }

  private static int integer(Path png, String key, String v) {
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw bad(png, key, "a whole number", v);
    }
  }

  private static long longValue(Path png, String key, String v) {
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw bad(png, key, "a whole number", v);
    }
  }

  private static BadRequestException bad(Path png, String key, String expected, String found) {
    return new BadRequestException(
        String.format(
            Locale.ROOT,
            "image %s: parameters '%s': expected %s, found '%s'",
            png,
            key,
            expected,
            found));
  }
}

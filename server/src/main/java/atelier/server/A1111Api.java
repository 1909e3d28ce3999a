package atelier.server;

import static atelier.server.StudioServer.JSON;
import static atelier.server.StudioServer.json;

import atelier.BadRequestException;
import atelier.diffusion.SchedulerKind;
import atelier.image.ImageLimits;
import atelier.image.PngText;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.Infotext;
import atelier.pipeline.InpaintSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The subset of AUTOMATIC1111's {@code /sdapi/v1} API that clients such as Open WebUI use, with
 * A1111's field names, defaults and answer shapes. txt2img and img2img go through the persistent
 * queue like every other job and the call waits for the result.
 */
final class A1111Api {
  /** How long a txt2img call waits for its job before answering 504. */
  static final Duration WAIT = Duration.ofHours(1);

  private final Studio studio;
  private final Map<String, SchedulerKind> samplers = new LinkedHashMap<>();

  A1111Api(Studio studio) {
    this.studio = studio;
    for (SchedulerKind k : SchedulerKind.values()) {
      samplers.put(Infotext.samplerName(k.cliName()).toLowerCase(Locale.ROOT), k);
    }
  }

  void routes(RoutesConfig r) {
    r.post("/sdapi/v1/txt2img", ctx -> generate(ctx, false));
    r.post("/sdapi/v1/img2img", ctx -> generate(ctx, true));
    r.get("/sdapi/v1/progress", this::progress);
    r.post("/sdapi/v1/interrupt", this::interrupt);
    r.get("/sdapi/v1/sd-models", this::sdModels);
    r.get("/sdapi/v1/samplers", this::samplers);
    r.get("/sdapi/v1/options", this::options);
    r.post("/sdapi/v1/options", this::setOptions);
    r.post("/sdapi/v1/png-info", this::pngInfo);
  }

  /** The Atelier scheduler for A1111's sampler name and (since 1.9) separate scheduler name. */
  String scheduler(String sampler, String schedule) {
    String name = sampler.trim();
    boolean karras = schedule != null && schedule.equalsIgnoreCase("karras");
    if (karras && !name.toLowerCase(Locale.ROOT).endsWith(" karras")) {
      name = name + " Karras";
    }
    if (schedule != null
        && !karras
        && !schedule.equalsIgnoreCase("automatic")
        && !schedule.isEmpty()) {
      throw new BadRequestException(
          "scheduler: expected Automatic or Karras, found '" + schedule + "'");
    }
    SchedulerKind k = samplers.get(name.toLowerCase(Locale.ROOT));
    if (k == null) {
      List<String> names = new ArrayList<>();
      samplers.values().forEach(v -> names.add(Infotext.samplerName(v.cliName())));
      throw new BadRequestException(
          "sampler_name: expected one of " + names + ", found '" + name + "'");
    }
    return k.cliName();
  }

  private void generate(Context ctx, boolean img2img) throws InterruptedException {
    JsonNode req = NativeApi.body(ctx);
    ObjectNode spec = JSON.createObjectNode();
    spec.put("prompt", text(req, "prompt", ""));
    spec.put("negativePrompt", text(req, "negative_prompt", ""));
    long seed = number(req, "seed", -1).longValue();
    if (seed >= 0) {
      spec.put("seed", seed);
    } else if (seed != -1) {
      throw new BadRequestException("seed: expected -1 (random) or 0 to 4294967295, found " + seed);
    }
    String sampler = text(req, "sampler_name", null);
    if (sampler == null || sampler.isEmpty()) {
      sampler = text(req, "sampler_index", "Euler");
    }
    spec.put("scheduler", scheduler(sampler, text(req, "scheduler", null)));
    int batchSize = number(req, "batch_size", 1).intValue();
    int iterations = number(req, "n_iter", 1).intValue();
    if (batchSize < 1 || iterations < 1) {
      throw new BadRequestException(
          "batch_size/n_iter: expected at least 1 each, found " + batchSize + "/" + iterations);
    }
    spec.put("batch", batchSize * iterations);
    spec.put("steps", number(req, "steps", 50).intValue());
    spec.put("guidance", number(req, "cfg_scale", 7.0).doubleValue());
    spec.put("width", number(req, "width", 512).intValue());
    spec.put("height", number(req, "height", 512).intValue());
    double eta = number(req, "eta", 0.0).doubleValue();
    if (eta != 0) {
      spec.put("eta", eta);
    }
    JsonNode override = req.path("override_settings").path("sd_model_checkpoint");
    if (override.isTextual()) {
      spec.put("model", modelId(override.asText()));
    }
    // A1111's "Clip skip" is the setting CLIP_stop_at_last_layers (1 = last layer: the default).
    JsonNode clipSkip = req.path("override_settings").path("CLIP_stop_at_last_layers");
    if (!clipSkip.isMissingNode() && !clipSkip.isNull()) {
      if (!clipSkip.canConvertToInt() || !clipSkip.isIntegralNumber()) {
        throw new BadRequestException(
            "override_settings.CLIP_stop_at_last_layers: expected 1 to 12, found " + clipSkip);
      }
      if (clipSkip.asInt() != 1) {
        spec.put("clipSkip", clipSkip.asInt());
      }
    }
    // Variation seeds: used only with a strength above 0, as A1111; -1 is a random one, drawn when
    // the job is queued.
    double subseedStrength = number(req, "subseed_strength", 0.0).doubleValue();
    if (subseedStrength != 0) {
      spec.put("subseedStrength", subseedStrength);
      long subseed = number(req, "subseed", -1).longValue();
      if (subseed != -1) {
        spec.put("subseed", subseed);
      }
    }
    if (img2img) {
      JsonNode inits = req.get("init_images");
      if (inits == null || !inits.isArray() || inits.isEmpty()) {
        throw new BadRequestException(
            "init_images: expected a list with one base64 image, found "
                + (inits == null
                    ? "none"
                    : inits.toString().length() > 40 ? "another value" : inits));
      }
      spec.put("initData", base64(inits.get(0).asText(), "init_images[0]"));
      spec.put("strength", number(req, "denoising_strength", 0.75).doubleValue());
      inpaint(req, spec);
    }
    Job job = studio.submit("generate", spec, 0);
    Job done = await(job);
    if (done.state() == JobState.FAILED) {
      throw new HttpError(
          "bad_request".equals(done.errorKind()) ? 400 : 500,
          done.errorKind(),
          done.errorMessage());
    }
    ObjectNode out = JSON.createObjectNode();
    ArrayNode images = out.putArray("images");
    List<String> infotexts = new ArrayList<>();
    List<Long> seeds = new ArrayList<>();
    List<Long> subseeds = new ArrayList<>();
    JsonNode first = null;
    if (done.state() == JobState.DONE) {
      for (ImageRow row : studio.queue().images(done.id())) {
        try {
          images.add(Base64.getEncoder().encodeToString(Files.readAllBytes(studio.file(row))));
          JsonNode record = JSON.readTree(row.record());
          first = first == null ? record : first;
          seeds.add(record.path("settings").path("seed").asLong());
          subseeds.add(record.path("settings").path("subseed").asLong(-1));
          infotexts.add(
              Infotext.format(
                  ArtworkPng.json().treeToValue(record, atelier.pipeline.ImageRecord.class)));
        } catch (IOException e) {
          throw new HttpError(500, "internal", "reading image " + row.id() + " failed: " + e);
        }
      }
    }
    ObjectNode parameters = out.putObject("parameters");
    req.fields().forEachRemaining(e -> parameters.set(e.getKey(), e.getValue()));
    if (img2img) {
      parameters
          .putArray("init_images")
          .add("(" + spec.get("initData").asText().length() + " base64 characters)");
    }
    out.put("info", info(spec, first, seeds, subseeds, infotexts, done).toString());
    json(ctx, out);
  }

  private ObjectNode info(
      ObjectNode spec,
      JsonNode first,
      List<Long> seeds,
      List<Long> subseeds,
      List<String> infotexts,
      Job job) {
    JsonNode s = first == null ? JSON.createObjectNode() : first.path("settings");
    ObjectNode info = JSON.createObjectNode();
    info.put("prompt", spec.get("prompt").asText());
    ArrayNode allPrompts = info.putArray("all_prompts");
    ArrayNode allNegatives = info.putArray("all_negative_prompts");
    seeds.forEach(
        x -> {
          allPrompts.add(spec.get("prompt").asText());
          allNegatives.add(spec.get("negativePrompt").asText());
        });
    info.put("negative_prompt", spec.get("negativePrompt").asText());
    info.put("seed", seeds.isEmpty() ? -1 : seeds.get(0));
    ArrayNode allSeeds = info.putArray("all_seeds");
    seeds.forEach(allSeeds::add);
    info.put("subseed", subseeds.isEmpty() ? -1 : subseeds.get(0));
    ArrayNode allSubseeds = info.putArray("all_subseeds");
    subseeds.forEach(allSubseeds::add);
    info.put("subseed_strength", s.path("subseedStrength").asDouble(0));
    info.put("clip_skip", s.path("clipSkip").asInt(1));
    info.put("width", s.path("width").asInt(spec.get("width").asInt()));
    info.put("height", s.path("height").asInt(spec.get("height").asInt()));
    info.put("sampler_name", Infotext.samplerName(spec.get("scheduler").asText()));
    info.put("cfg_scale", s.path("guidance").asDouble(spec.get("guidance").asDouble()));
    info.put("steps", s.path("steps").asInt(spec.get("steps").asInt()));
    info.put("batch_size", seeds.size());
    info.put("sd_model_name", first == null ? null : first.path("model").path("id").asText());
    info.put("sd_model_hash", first == null ? null : shortHash(first));
    info.put("denoising_strength", spec.has("strength") ? spec.get("strength").asDouble() : 0);
    ArrayNode texts = info.putArray("infotexts");
    infotexts.forEach(texts::add);
    info.putArray("styles");
    info.put("job_timestamp", job.createdAt() == null ? "" : job.createdAt().toString());
    info.put("index_of_first_image", 0);
    info.put("interrupted", job.state() == JobState.CANCELLED);
    return info;
  }

  private static String shortHash(JsonNode record) {
    String h = record.path("model").path("sha256").asText("");
    return h.length() >= 10 ? h.substring(0, 10) : h;
  }

  private Job await(Job job) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Job now = studio.queue().get(job.id()).orElseThrow();
      if (now.state().isFinal()) {
        return now;
      }
      Thread.sleep(50);
    }
    throw new HttpError(
        504,
        "timeout",
        "job " + job.id() + ": still not finished after " + WAIT + "; see /api/jobs");
  }

  private String modelId(String title) {
    // A1111 titles are "name.safetensors [hash]"; ours are plain ids.
    String id = title.replaceFirst("\\s*\\[[0-9a-fA-F]+\\]$", "").trim();
    if (!studio.modelIds().contains(id)) {
      throw new BadRequestException(
          "sd_model_checkpoint: expected one of " + studio.modelIds() + ", found '" + title + "'");
    }
    return id;
  }

  /**
   * A1111's inpainting fields, with its API's defaults: {@code mask} (base64), {@code mask_blur}
   * (4), {@code inpainting_fill} (0 = fill, 1 original, 2 latent noise, 3 latent nothing), {@code
   * inpaint_full_res} (true: only masked), {@code inpaint_full_res_padding} (0) and {@code
   * inpainting_mask_invert} (0). Without a mask the other fields change nothing, as in A1111.
   */
  static void inpaint(JsonNode req, ObjectNode spec) {
    String mask = text(req, "mask", null);
    if (mask == null || mask.isEmpty()) {
      return;
    }
    spec.put("maskData", base64(mask, "mask"));
    ObjectNode s = spec.putObject("inpaint");
    s.put("blur", number(req, "mask_blur", 4).intValue());
    s.put(
        "fill",
        InpaintSettings.Fill.ofA1111(number(req, "inpainting_fill", 0).intValue()).cliName());
    s.put("onlyMasked", flag(req, "inpaint_full_res", true));
    s.put("padding", number(req, "inpaint_full_res_padding", 0).intValue());
    s.put("invert", flag(req, "inpainting_mask_invert", false));
  }

  /** A1111's boolean fields, which clients send as true/false or 0/1. */
  private static boolean flag(JsonNode req, String field, boolean fallback) {
    JsonNode v = req.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isIntegralNumber() && (v.asInt() == 0 || v.asInt() == 1)) {
      return v.asInt() == 1;
    }
    throw new BadRequestException(field + ": expected true, false, 0 or 1, found " + v);
  }

  private static String text(JsonNode req, String field, String fallback) {
    JsonNode v = req.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw new BadRequestException(field + ": expected text, found " + v);
    }
    return v.asText();
  }

  private static Number number(JsonNode req, String field, Number fallback) {
    JsonNode v = req.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isNumber()) {
      throw new BadRequestException(field + ": expected a number, found " + v);
    }
    if (fallback instanceof Integer || fallback instanceof Long) {
      if (!v.canConvertToExactIntegral()) {
        throw new BadRequestException(field + ": expected a whole number, found " + v);
      }
      return v.asLong();
    }
    return v.asDouble();
  }

  /** Base64 text, with or without a {@code data:image/…;base64,} prefix, checked as base64. */
  static String base64(String value, String field) {
    String v = value.startsWith("data:") ? value.substring(value.indexOf(',') + 1) : value;
    try {
      Base64.getMimeDecoder().decode(v);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException(field + ": expected base64 image data, found invalid base64");
    }
    return v.replaceAll("\\s", "");
  }

  private void progress(Context ctx) {
    List<Job> running = studio.queue().list(JobState.RUNNING, 0, 1);
    int queued = studio.queue().count(JobState.QUEUED);
    ObjectNode out = JSON.createObjectNode();
    ObjectNode state = JSON.createObjectNode();
    if (running.isEmpty()) {
      out.put("progress", 0.0);
      out.put("eta_relative", 0.0);
      state.put("skipped", false).put("interrupted", false).put("job", "");
      state.put("job_count", queued).put("job_timestamp", "0").put("job_no", 0);
      state.put("sampling_step", 0).put("sampling_steps", 0);
    } else {
      Job job = running.get(0);
      LiveProgress p = studio.progress(job);
      out.put("progress", p.total() == 0 ? 0.0 : (double) p.step() / p.total());
      out.put("eta_relative", Math.max(0, p.etaSeconds()));
      state.put("skipped", false).put("interrupted", job.cancelRequested());
      state.put("job", "job " + job.id());
      state.put("job_count", queued + 1).put("job_timestamp", String.valueOf(job.createdAt()));
      state.put("job_no", 0).put("sampling_step", p.step()).put("sampling_steps", p.total());
    }
    out.set("state", state);
    out.putNull("current_image");
    out.put("textinfo", running.isEmpty() ? null : "running");
    json(ctx, out);
  }

  private void interrupt(Context ctx) {
    for (Job j : studio.queue().list(JobState.RUNNING, 0, 1000)) {
      try {
        studio.queue().cancel(j.id());
      } catch (BadRequestException e) {
        // it finished meanwhile
      }
    }
    json(ctx, JSON.createObjectNode());
  }

  private void sdModels(Context ctx) {
    ArrayNode list = JSON.createArrayNode();
    for (String id : studio.modelIds()) {
      list.addObject()
          .put("title", id)
          .put("model_name", id)
          .putNull("hash")
          .putNull("sha256")
          .put("filename", id)
          .putNull("config");
    }
    json(ctx, list);
  }

  private void samplers(Context ctx) {
    ArrayNode list = JSON.createArrayNode();
    for (SchedulerKind k : samplers.values()) {
      ObjectNode n = list.addObject();
      n.put("name", Infotext.samplerName(k.cliName()));
      n.putArray("aliases").add(k.cliName());
      n.putObject("options");
    }
    json(ctx, list);
  }

  private void options(Context ctx) {
    ObjectNode out = JSON.createObjectNode();
    out.put("sd_model_checkpoint", studio.checkpoint());
    json(ctx, out);
  }

  private void setOptions(Context ctx) {
    JsonNode body = NativeApi.body(ctx);
    List<String> unknown = new ArrayList<>();
    body.fieldNames()
        .forEachRemaining(
            n -> {
              if (!n.equals("sd_model_checkpoint")) {
                unknown.add(n);
              }
            });
    if (!unknown.isEmpty()) {
      throw new BadRequestException(
          "options: expected only sd_model_checkpoint, found " + String.join(", ", unknown));
    }
    JsonNode v = body.get("sd_model_checkpoint");
    if (v != null) {
      if (!v.isTextual()) {
        throw new BadRequestException("sd_model_checkpoint: expected text, found " + v);
      }
      studio.checkpoint(modelId(v.asText()));
    }
    json(ctx, JSON.nullNode());
  }

  private void pngInfo(Context ctx) throws IOException {
    JsonNode body = NativeApi.body(ctx);
    String b64 = text(body, "image", null);
    if (b64 == null || b64.isEmpty()) {
      throw new BadRequestException("image: expected a base64 PNG, found none");
    }
    byte[] bytes = Base64.getMimeDecoder().decode(base64(b64, "image"));
    Path tmp = Files.createTempFile("atelier-pnginfo", ".png");
    Map<String, String> texts;
    try {
      Files.write(tmp, bytes);
      texts = PngText.isPng(tmp) ? PngText.read(tmp, ImageLimits.current()) : Map.of();
    } finally {
      Files.deleteIfExists(tmp);
    }
    ObjectNode out = JSON.createObjectNode();
    String info = texts.getOrDefault(ArtworkPng.PARAMETERS, "");
    out.put("info", info);
    ObjectNode items = out.putObject("items");
    texts.forEach(
        (k, v) -> {
          if (!k.equals(ArtworkPng.PARAMETERS)) {
            items.put(k, v);
          }
        });
    out.set("parameters", parse(info));
    json(ctx, out);
  }

  /** A1111's infotext as key/value pairs: Prompt, Negative prompt and each "Key: value". */
  static ObjectNode parse(String info) {
    ObjectNode p = JSON.createObjectNode();
    if (info.isEmpty()) {
      return p;
    }
    String[] lines = info.split("\n");
    String last = lines[lines.length - 1];
    boolean hasSettings =
        last.matches("^(\\s*\\w[\\w \\-/]+:\\s*(\"(?:\\\\.|[^\\\\\"])+\"|[^,]*)(?:,|$)){3,}.*");
    int end = hasSettings ? lines.length - 1 : lines.length;
    StringBuilder prompt = new StringBuilder();
    StringBuilder negative = new StringBuilder();
    boolean inNegative = false;
    for (int i = 0; i < end; i++) {
      String line = lines[i];
      if (line.startsWith("Negative prompt:")) {
        inNegative = true;
        line = line.substring("Negative prompt:".length()).trim();
      }
      StringBuilder b = inNegative ? negative : prompt;
      b.append(b.length() > 0 ? "\n" : "").append(line);
    }
    p.put("Prompt", prompt.toString());
    p.put("Negative prompt", negative.toString());
    if (hasSettings) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile(
                  "\\s*([\\w \\-/]+):\\s*(\"(?:\\\\.|[^\\\\\"])+\"|[^,]*)(?:,|$)")
              .matcher(last);
      while (m.find()) {
        p.put(m.group(1).trim(), m.group(2).trim());
      }
    }
    return p;
  }
}

package atelier.server;

import static atelier.server.StudioServer.JSON;
import static atelier.server.StudioServer.json;

import atelier.BadRequestException;
import atelier.jobs.CraftSources;
import atelier.jobs.JobRunner;
import atelier.pipeline.GenerationRequest;
import atelier.recipe.Recipe;
import atelier.text.library.Category;
import atelier.text.library.LibraryEntry;
import atelier.text.library.PromptLibrary;
import atelier.text.library.PromptTemplate;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/** The native REST API under {@code /api/}: jobs, their progress stream, the gallery, lists. */
final class NativeApi {
  private final Studio studio;

  NativeApi(Studio studio) {
    this.studio = studio;
  }

  void routes(RoutesConfig r) {
    r.get("/api/openapi.json", this::openapi);
    r.post("/api/jobs", this::submit);
    r.get("/api/jobs", this::jobs);
    r.get("/api/jobs/{id}", ctx -> json(ctx, job(job(ctx.pathParam("id")))));
    r.post("/api/jobs/{id}/cancel", this::cancel);
    r.get("/api/jobs/{id}/events", this::events);
    r.get("/api/gallery", this::gallery);
    r.get("/api/images/{id}", this::image);
    r.delete("/api/images/{id}", this::deleteImage);
    r.get("/api/upscalers", this::upscalers);
    r.get("/api/recipes", this::recipes);
    r.post("/api/recipes/preview", this::previewRecipe);
    r.get("/api/prompts", this::prompts);
  }

  private void openapi(Context ctx) throws IOException {
    try (InputStream in = NativeApi.class.getResourceAsStream("openapi.json")) {
      ctx.contentType("application/json").result(in.readAllBytes());
    }
  }

  private void submit(Context ctx) {
    JsonNode body = body(ctx);
    JsonNode priority = body.get("priority");
    if (priority != null && !priority.isInt()) {
      throw new BadRequestException("priority: expected a whole number, found " + priority);
    }
    Job job =
        studio.submit(
            body.path("kind").asText(null),
            body.get("spec"),
            priority == null ? 0 : priority.asInt());
    ctx.status(201);
    json(ctx, job(job));
  }

  static JsonNode body(Context ctx) {
    JsonNode body;
    try {
      body = JSON.readTree(ctx.bodyAsBytes());
    } catch (IOException e) {
      throw new BadRequestException(
          "request body: expected a JSON object, found invalid JSON ("
              + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage())
              + ")");
    }
    if (body == null || !body.isObject()) {
      throw new BadRequestException(
          "request body: expected a JSON object, found " + (body == null ? "nothing" : body));
    }
    return body;
  }

  private void jobs(Context ctx) {
    String stateName = ctx.queryParam("state");
    JobState state;
    try {
      state = stateName == null ? null : JobState.fromDb(stateName);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("state: " + e.getMessage());
    }
    int offset = intParam(ctx, "offset", 0);
    int limit = intParam(ctx, "limit", 50);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = out.putArray("jobs");
    for (Job j : studio.queue().list(state, offset, limit)) {
      list.add(job(j));
    }
    out.put("offset", offset);
    out.put("limit", limit);
    json(ctx, out);
  }

  static int intParam(Context ctx, String name, int fallback) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new BadRequestException(name + ": expected a whole number, found '" + v + "'");
    }
  }

  private Job job(String id) {
    return studio.queue().get(id).orElseThrow(() -> HttpError.notFound("job", id));
  }

  private void cancel(Context ctx) {
    Job job = job(ctx.pathParam("id"));
    json(ctx, job(studio.queue().cancel(job.id())));
  }

  /**
   * Server-Sent Events: one {@code progress} event per change, a {@code preview} event ({@code
   * image}, {@code step}, {@code png}: a data URL) for each new preview picture of a job running in
   * this process, then {@code end}.
   */
  private void events(Context ctx) throws IOException, InterruptedException {
    Job job = job(ctx.pathParam("id"));
    ctx.res().setContentType("text/event-stream");
    ctx.res().setCharacterEncoding("UTF-8");
    ctx.res().setHeader("Cache-Control", "no-cache");
    OutputStream out = ctx.res().getOutputStream();
    String last = null;
    CoreJobExecutor.Preview lastPreview = null;
    long deadline = System.nanoTime() + 3_600_000_000_000L;
    while (System.nanoTime() < deadline) {
      job = studio.queue().get(job.id()).orElseThrow();
      CoreJobExecutor.Preview preview = studio.preview(job).orElse(null);
      if (preview != null && preview != lastPreview) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", job.id()).put("image", preview.image()).put("step", preview.step());
        n.put("png", "data:image/png;base64," + Base64.getEncoder().encodeToString(preview.png()));
        out.write(("event: preview\ndata: " + n + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        lastPreview = preview;
      }
      String data = progress(job).toString();
      if (!data.equals(last)) {
        String event = job.state().isFinal() ? "end" : "progress";
        out.write(
            ("event: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        last = data;
      }
      if (job.state().isFinal()) {
        return;
      }
      Thread.sleep(100);
    }
  }

  private ObjectNode progress(Job job) {
    LiveProgress p = studio.progress(job);
    ObjectNode n = JSON.createObjectNode();
    n.put("id", job.id());
    n.put("state", job.state().dbName());
    n.put("stage", p.stage());
    n.put("step", p.step());
    n.put("total", p.total());
    n.put("rate", Math.round(p.rate() * 100) / 100.0);
    if (p.etaSeconds() >= 0) {
      n.put("eta", Math.round(p.etaSeconds() * 10) / 10.0);
    } else {
      n.putNull("eta");
    }
    if (job.errorKind() != null) {
      n.putObject("error").put("kind", job.errorKind()).put("message", job.errorMessage());
    }
    return n;
  }

  ObjectNode job(Job j) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", j.id());
    n.put("kind", j.kind());
    n.put("state", j.state().dbName());
    try {
      ObjectNode spec = (ObjectNode) JSON.readTree(j.spec());
      for (String big : List.of("initData", "inputData")) {
        if (spec.has(big)) {
          spec.put(big, "(" + spec.get(big).asText().length() * 3 / 4 + " bytes)");
        }
      }
      if (spec.hasNonNull("model")) {
        spec.put("model", studio.publicModel(spec.get("model").asText()));
      }
      if (j.kind().equals("recipe") || j.kind().equals("sweep")) {
        // The server stored these uploads itself; their paths are none of the client's business.
        for (String upload : List.of("input", "init")) {
          if (spec.has(upload)) {
            spec.put(upload, "(uploaded picture)");
          }
        }
      }
      n.set("spec", spec);
    } catch (JsonProcessingException e) {
      n.put("spec", j.spec());
    }
    n.put("priority", j.priority());
    n.put("attempts", j.attempts());
    time(n, "createdAt", j.createdAt());
    time(n, "startedAt", j.startedAt());
    time(n, "finishedAt", j.finishedAt());
    n.put("cancelRequested", j.cancelRequested());
    if (j.errorKind() != null) {
      n.putObject("error").put("kind", j.errorKind()).put("message", j.errorMessage());
    } else {
      n.putNull("error");
    }
    n.set("progress", progress(j));
    n.set("result", result(j));
    ArrayNode images = n.putArray("images");
    if (j.state() == JobState.DONE) {
      for (ImageRow row : studio.queue().images(j.id())) {
        images.add(image(row));
      }
    }
    return n;
  }

  /** The job's stored result (best-of-N selection report, notes), or null. */
  private static JsonNode result(Job j) {
    if (j.result() == null) {
      return JSON.nullNode();
    }
    try {
      return JSON.readTree(j.result());
    } catch (JsonProcessingException e) {
      return JSON.getNodeFactory().textNode(j.result());
    }
  }

  private static void time(ObjectNode n, String name, Instant t) {
    if (t == null) {
      n.putNull(name);
    } else {
      n.put(name, t.toString());
    }
  }

  static ObjectNode image(ImageRow row) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", row.id());
    n.put("jobId", row.jobId());
    n.put("url", "/api/images/" + row.id());
    n.put("prompt", row.prompt());
    n.put("model", row.model());
    n.put("recipe", row.recipe());
    time(n, "createdAt", row.createdAt());
    try {
      n.set("record", row.record() == null ? null : JSON.readTree(row.record()));
    } catch (JsonProcessingException e) {
      n.put("record", row.record());
    }
    return n;
  }

  private void gallery(Context ctx) {
    String q = ctx.queryParam("q");
    int offset = intParam(ctx, "offset", 0);
    int limit = intParam(ctx, "limit", 50);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = out.putArray("images");
    for (ImageRow row :
        studio.queue().gallery(q == null || q.isBlank() ? null : q, offset, limit)) {
      list.add(image(row));
    }
    out.put("offset", offset);
    out.put("limit", limit);
    json(ctx, out);
  }

  private ImageRow row(String id) {
    return studio.queue().image(id).orElseThrow(() -> HttpError.notFound("image", id));
  }

  private void image(Context ctx) throws IOException {
    ImageRow row = row(ctx.pathParam("id"));
    Path file = studio.file(row);
    if (!Files.isRegularFile(file)) {
      throw new HttpError(404, "not_found", "image " + row.id() + ": its file is gone");
    }
    String name = row.path().substring(row.path().lastIndexOf('/') + 1);
    ctx.header("Content-Disposition", "inline; filename=\"" + name + "\"");
    ctx.contentType(name.endsWith(".png") ? "image/png" : "application/octet-stream");
    ctx.result(Files.readAllBytes(file));
  }

  private void deleteImage(Context ctx) throws IOException {
    ImageRow row = row(ctx.pathParam("id"));
    if (studio.queue().deleteImage(row.id())) {
      Files.deleteIfExists(studio.file(row));
    }
    ctx.status(204);
  }

  private void upscalers(Context ctx) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = out.putArray("upscalers");
    studio.upscalerIds().forEach(list::add);
    json(ctx, out);
  }

  private void recipes(Context ctx) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = out.putArray("recipes");
    for (Recipe r : CraftSources.recipes(studio.home()).all()) {
      ObjectNode n = list.addObject();
      n.put("name", r.name()).put("title", r.title()).put("description", r.description());
      n.put("input", r.input().name().toLowerCase(java.util.Locale.ROOT));
      n.put("optionalPicture", r.optionalPicture());
      ObjectNode params = n.putObject("params");
      for (Recipe.Param p : r.params().values()) {
        params
            .putObject(p.name())
            .put("default", p.defaultValue())
            .put("description", p.description());
      }
    }
    json(ctx, out);
  }

  /**
   * A recipe's dry run: {@code {"spec":{…recipe spec…}}} → the plan {@code atelier recipe run
   * --dry-run} prints (each job's prompt, negative prompt, seed, size, steps, batch, strength and
   * basemap, as a PNG data URL), the upscale and selection it would do after, and the notes.
   */
  private void previewRecipe(Context ctx) {
    JobRunner.RecipePreview plan = studio.previewRecipe(body(ctx).get("spec"));
    Recipe r = plan.recipe();
    ObjectNode out = JSON.createObjectNode();
    out.put("recipe", r.name()).put("version", r.version()).put("title", r.title());
    ArrayNode jobs = out.putArray("jobs");
    for (atelier.recipe.Job j : plan.jobs()) {
      GenerationRequest q = j.request();
      ObjectNode n = jobs.addObject();
      n.put("name", j.name());
      n.put("prompt", q.prompt());
      n.put("negative", q.negativePrompt());
      n.put("seed", q.seed());
      n.put("width", q.width());
      n.put("height", q.height());
      n.put("steps", q.steps());
      n.put("guidance", q.guidance());
      n.put("scheduler", q.scheduler() == null ? null : q.scheduler().cliName());
      n.put("batch", q.batch());
      n.put("strength", q.init() == null ? null : q.strength());
      n.put(
          "basemap",
          j.basemapPng() == null
              ? null
              : "data:image/png;base64," + Base64.getEncoder().encodeToString(j.basemapPng()));
    }
    if (r.upscale() == null) {
      out.putNull("upscale");
    } else {
      out.putObject("upscale")
          .put("width", r.upscale().width())
          .put("height", r.upscale().height())
          .put("method", r.upscale().method());
    }
    if (r.select() == null) {
      out.putNull("select");
    } else {
      out.putObject("select")
          .put("keep", r.select().keep().name().toLowerCase(java.util.Locale.ROOT))
          .put("count", r.select().count())
          .put("by", r.select().by());
    }
    ArrayNode notes = out.putArray("notes");
    plan.notes().forEach(notes::add);
    json(ctx, out);
  }

  private void prompts(Context ctx) {
    PromptLibrary lib = CraftSources.library(studio.home(), null);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode cats = out.putArray("categories");
    for (Category c : lib.categories()) {
      ObjectNode n = cats.addObject();
      n.put("name", c.name()).put("description", c.description());
      ArrayNode entries = n.putArray("entries");
      for (LibraryEntry e : c.entries()) {
        entries.addObject().put("name", e.name()).put("text", e.render());
      }
    }
    ArrayNode templates = out.putArray("templates");
    for (PromptTemplate t : lib.templates()) {
      templates
          .addObject()
          .put("name", t.name())
          .put("description", t.description())
          .put("text", t.text())
          .put("negative", t.negative());
    }
    json(ctx, out);
  }
}

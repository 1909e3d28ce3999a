package atelier.server;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.jobs.JobRunner;
import atelier.jobs.JobSpec;
import atelier.jobs.JobSpecs;
import atelier.jobs.RecipeSpec;
import atelier.model.ModelStore;
import atelier.upscale.UpscalerStore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the HTTP front ends share: the queue, the output storage, the runner that checks specs at
 * submission, the local executor's live progress and the models the server offers. Submissions are
 * checked as the CLI checks them (same messages), with one rule of its own: a client never names a
 * file on the server (basemaps and inputs come as bytes; models by id). Thread-safe.
 */
public final class Studio {
  /** The job kinds the HTTP API accepts. */
  public static final List<String> KINDS = List.of("generate", "upscale", "recipe", "sweep");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final AtelierHome home;
  private final JobQueue queue;
  private final Path storage;
  private final JobRunner runner;
  private final CoreJobExecutor executor;
  private final Map<String, Path> models;
  private final CraftRequests craft;
  private volatile String checkpoint;
  private volatile Path importRoot;

  /**
   * @param home the data folder (installed models, recipes, prompt library)
   * @param queue the job queue and gallery index
   * @param storage the output root the gallery's paths are relative to
   * @param runner checks specs at submission (reads uploads, fixes seeds); loads nothing
   * @param executor the local executor, for live progress, or null when no worker runs here
   * @param models model folders the operator offers besides the installed ones, by id, the first
   *     being the default
   */
  public Studio(
      AtelierHome home,
      JobQueue queue,
      Path storage,
      JobRunner runner,
      CoreJobExecutor executor,
      Map<String, Path> models) {
    this.home = home;
    this.queue = queue;
    this.storage = storage.toAbsolutePath().normalize();
    this.runner = runner;
    this.executor = executor;
    this.models = new LinkedHashMap<>(models);
    this.checkpoint = models.isEmpty() ? null : models.keySet().iterator().next();
    this.craft = new CraftRequests(this, this.storage);
  }

  public JobQueue queue() {
    return queue;
  }

  public AtelierHome home() {
    return home;
  }

  /** The model id new jobs without one use (A1111's {@code sd_model_checkpoint}), or null. */
  public String checkpoint() {
    return checkpoint;
  }

  /** Makes {@code id} the default model; it must be one of {@link #modelIds()}. */
  public void checkpoint(String id) {
    requireModel("sd_model_checkpoint", id);
    checkpoint = id;
  }

  /**
   * Lets clients import model folders the operator puts in {@code root} (by folder name, never by
   * path); null switches imports off. The caller makes sure the server requires a token.
   */
  public void allowImportsFrom(Path root) {
    try {
      if (root != null && !java.nio.file.Files.isDirectory(root)) {
        throw new java.io.IOException("not a folder");
      }
      this.importRoot = root == null ? null : root.toRealPath();
    } catch (java.io.IOException e) {
      throw new BadRequestException(
          "--import-root: expected an existing folder, found nothing at '" + root + "'", e);
    }
  }

  /** The folder model imports come from (real path), or null when imports are off. */
  public Path importRoot() {
    return importRoot;
  }

  /**
   * What a client sees of a spec's model reference: the id of an offered folder (specs hold its
   * path, so that workers find it), else the reference as it is (an installed or catalog id).
   */
  public String publicModel(String reference) {
    for (Map.Entry<String, Path> e : models.entrySet()) {
      if (e.getValue().toString().equals(reference)) {
        return e.getKey();
      }
    }
    return reference;
  }

  /** Whether {@code id} is a model folder the operator offers ({@code serve --model DIR}). */
  public boolean offered(String id) {
    return models.containsKey(id);
  }

  /**
   * The ids of the models a client may name: the offered ones, then the installed pipelines (not
   * upscalers or scorers, which the store also holds).
   */
  public List<String> modelIds() {
    List<String> ids = new ArrayList<>(models.keySet());
    List<String> upscalers = UpscalerStore.of(home).ids();
    for (ModelStore.StoredModel m : ModelStore.of(home).list()) {
      boolean pipeline =
          m.manifest() == null
              ? !upscalers.contains(m.id())
              : m.manifest().kind() == null
                  || m.manifest().kind() == atelier.model.ModelKind.PIPELINE;
      if (pipeline && !ids.contains(m.id())) {
        ids.add(m.id());
      }
    }
    return ids;
  }

  private String requireModel(String field, String id) {
    List<String> ids = modelIds();
    if (!ids.contains(id)) {
      throw new BadRequestException(
          field + ": expected a model id, one of " + ids + ", found '" + id + "'");
    }
    Path p = models.get(id);
    return p != null ? p.toString() : id;
  }

  /**
   * Checks a submission exactly as the CLI would, fixes its seed and queues it.
   *
   * @throws BadRequestException naming the field, what was expected and what was found
   */
  public Job submit(String kind, JsonNode spec, int priority) {
    List<Path> saved = new ArrayList<>();
    try {
      JobSpec prepared = check(kind, spec, saved);
      return queue.submit(new JobSubmission(kind, JobSpecs.toJson(prepared), priority));
    } catch (RuntimeException e) {
      CraftRequests.discard(saved);
      throw e;
    }
  }

  /**
   * What a recipe spec would do, as {@code atelier recipe run --dry-run} shows it: its jobs
   * (prompts, seeds, sizes, steps, basemaps made), with the same checks as a submission; nothing is
   * queued and an uploaded input is not kept.
   *
   * @throws BadRequestException naming the field, as {@link #submit} would
   */
  public JobRunner.RecipePreview previewRecipe(JsonNode spec) {
    List<Path> saved = new ArrayList<>();
    try {
      RecipeSpec prepared = (RecipeSpec) check(RecipeSpec.KIND, spec, saved);
      return runner.previewRecipe(prepared, craft.uploads());
    } finally {
      CraftRequests.discard(saved);
    }
  }

  /** Checks a submission as the CLI would and prepares it (seed fixed, uploads stored). */
  private JobSpec check(String kind, JsonNode spec, List<Path> saved) {
    if (kind == null || !KINDS.contains(kind)) {
      throw new BadRequestException(
          "kind: expected one of " + String.join(", ", KINDS) + ", found '" + kind + "'");
    }
    if (spec == null || !spec.isObject()) {
      throw new BadRequestException(
          kind + " spec: expected a JSON object, found " + (spec == null ? "nothing" : spec));
    }
    ObjectNode s = ((ObjectNode) spec).deepCopy();
    boolean craftKind = kind.equals(RecipeSpec.KIND) || kind.equals("sweep");
    for (String field : List.of("init", "input", "clip", "aestheticModel")) {
      JsonNode v = s.get(field);
      if (!craftKind && v != null && !v.isNull()) {
        throw new BadRequestException(
            kind
                + " spec field '"
                + field
                + "': the server reads no file a client names; expected "
                + (field.equals("init")
                    ? "the basemap's bytes in initData (base64)"
                    : field.equals("input")
                        ? "the image's bytes in inputData (base64)"
                        : "the installed scorer models (leave it out)")
                + ", found a path");
      }
    }
    if (kind.equals("generate")) {
      refuseControlAndMaskFiles(s);
      CraftRequests.checkLoras(kind, s.get("loras"));
    }
    CraftRequests.checkLoraTags(kind, s, "");
    CraftRequests.checkScorers(kind, s.get("scorers"));
    String modelField = "model";
    JsonNode model = s.get(modelField);
    boolean generates = !kind.equals("upscale");
    if (model != null && !model.isNull()) {
      if (generates) {
        s.put(modelField, requireModel(kind + " spec field 'model'", model.asText()));
      } else {
        refusePath(kind + " spec field 'model'", model.asText());
      }
    } else if (generates && checkpoint != null) {
      s.put(modelField, requireModel("sd_model_checkpoint", checkpoint));
    }
    JsonNode upscaler = s.get("upscaler");
    if (upscaler != null && !upscaler.isNull()) {
      refusePath(kind + " spec field 'upscaler'", upscaler.asText());
    }
    if (kind.equals("upscale")) {
      galleryInput(s);
      requireUpscaler(s);
    }
    if (craftKind) {
      craft.secure(kind, s, saved);
    }
    String json;
    try {
      json = JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("re-serialising a parsed spec failed", e);
    }
    return runner.prepare(JobSpecs.fromJson(kind, json));
  }

  /**
   * An upscale of a gallery image: {@code inputImage} (an image id) becomes the image's bytes in
   * {@code inputData}, so the job reads no file at run time and the spec says what it upscaled.
   */
  private void galleryInput(ObjectNode s) {
    JsonNode id = s.remove("inputImage");
    if (id == null || id.isNull()) {
      return;
    }
    if (s.hasNonNull("inputData")) {
      throw new BadRequestException(
          "upscale spec fields 'inputImage' and 'inputData': expected one image, found both");
    }
    ImageRow row =
        queue
            .image(id.asText())
            .orElseThrow(
                () ->
                    new BadRequestException(
                        "upscale spec field 'inputImage': expected the id of a gallery image,"
                            + " found '"
                            + id.asText()
                            + "'"));
    try {
      s.put("inputData", java.nio.file.Files.readAllBytes(file(row)));
    } catch (java.io.IOException e) {
      throw new BadRequestException(
          "upscale spec field 'inputImage': expected a gallery image with its file, found the file"
              + " gone ("
              + e.getMessage()
              + ")");
    }
  }

  /** The upscaler a spec names (or the default) must be installed here; no paths. */
  private void requireUpscaler(ObjectNode s) {
    JsonNode model = s.get("model");
    int scale = s.path("scale").canConvertToInt() ? s.path("scale").asInt() : 4;
    UpscalerStore store = UpscalerStore.of(home);
    if (model == null || model.isNull()) {
      if (store.ids().isEmpty()) {
        throw new BadRequestException(
            "upscale spec field 'model': expected an installed upscaler, found none installed on"
                + " this server (atelier models pull upscalerjs-esrgan-thick)");
      }
      return;
    }
    try {
      store.resolve(model.asText(), scale);
    } catch (BadRequestException e) {
      throw new BadRequestException(
          "upscale spec field 'model': expected an installed upscaler id or family, one of "
              + store.ids()
              + ", found '"
              + model.asText()
              + "'");
    }
  }

  /** The installed upscalers' ids. */
  public List<String> upscalerIds() {
    return UpscalerStore.of(home).ids();
  }

  /**
   * A generate spec's ControlNets and mask come as bytes and installed ids: a control image or mask
   * path, or a ControlNet folder, would make the server read a file the client names.
   */
  private static void refuseControlAndMaskFiles(ObjectNode s) {
    JsonNode controls = s.get("controls");
    if (controls != null && controls.isArray()) {
      for (int i = 0; i < controls.size(); i++) {
        JsonNode c = controls.get(i);
        String field = "generate spec field 'controls[" + i + "]";
        JsonNode image = c.get("image");
        if (image != null && !image.isNull()) {
          throw new BadRequestException(
              field
                  + ".image': the server reads no file a client names; expected the control"
                  + " image's bytes in controls["
                  + i
                  + "].imageData (base64), found a path");
        }
        JsonNode model = c.get("model");
        if (model != null && model.isTextual() && !model.asText().matches("[1-9][0-9]?")) {
          refusePath(field + ".model'", model.asText());
        }
      }
    }
    JsonNode inpaint = s.get("inpaint");
    JsonNode mask = inpaint == null ? null : inpaint.get("mask");
    if (mask != null && !mask.isNull()) {
      throw new BadRequestException(
          "generate spec field 'inpaint.mask': the server reads no file a client names; expected"
              + " the mask's bytes in maskData (base64), found a path");
    }
  }

  private static void refusePath(String field, String value) {
    if (value.isEmpty()
        || value.contains("/")
        || value.contains("\\")
        || value.startsWith(".")
        || value.contains(":")) {
      throw new BadRequestException(
          field + ": expected an installed id, found a path '" + value + "'");
    }
  }

  /** A job's progress: the local executor's live figures, else the last heartbeat's. */
  public LiveProgress progress(Job job) {
    if (executor != null && job.state() == JobState.RUNNING) {
      Optional<LiveProgress> live = executor.live(job.id());
      if (live.isPresent()) {
        return live.get();
      }
    }
    int total = Math.max(1, job.progressTotal());
    int step = job.state() == JobState.DONE ? total : job.progressStep();
    return new LiveProgress(job.state().dbName(), step, total, 0, job.state().isFinal() ? 0 : -1);
  }

  /** The latest preview picture of a job running in this process, if any. */
  public Optional<CoreJobExecutor.Preview> preview(Job job) {
    return executor == null || job.state() != JobState.RUNNING
        ? Optional.empty()
        : executor.preview(job.id());
  }

  /** The file of a gallery image, which must lie inside the output storage. */
  public Path file(ImageRow row) {
    Path p = storage.resolve(row.path()).normalize();
    if (!p.startsWith(storage)) {
      throw new IllegalStateException("image " + row.id() + " points outside the storage: " + p);
    }
    return p;
  }
}

package atelier.server;

import static atelier.server.StudioServer.JSON;
import static atelier.server.StudioServer.json;

import atelier.AtelierException;
import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.model.CatalogEntry;
import atelier.model.Device;
import atelier.model.DownloadProgress;
import atelier.model.ModelCatalog;
import atelier.model.ModelKind;
import atelier.model.ModelManifest;
import atelier.model.ModelPuller;
import atelier.model.ModelStore;
import atelier.model.SessionSettings;
import atelier.pipeline.StableDiffusion;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Models over HTTP: the list with details (offered and installed models, and the catalog's), a pull
 * of a catalog model in the background with its progress as Server-Sent Events, and an import of a
 * model folder the operator placed under the server's import root. Clients name catalog ids and
 * folder names under that root only, never paths. Thread-safe.
 */
final class ModelsApi {
  private static final System.Logger LOG = System.getLogger(ModelsApi.class.getName());

  private final Studio studio;
  private final Supplier<ModelPuller> puller;
  private final Map<String, Pull> pulls = new ConcurrentHashMap<>();

  /** One pull: its latest progress and, once over, how it ended. */
  static final class Pull {
    final String id;
    volatile DownloadProgress progress;
    volatile String state = "running";
    volatile String errorKind;
    volatile String errorMessage;

    Pull(String id) {
      this.id = id;
    }
  }

  ModelsApi(Studio studio, Supplier<ModelPuller> puller) {
    this.studio = studio;
    this.puller = puller;
  }

  void routes(RoutesConfig r) {
    r.get("/api/models", this::models);
    r.post("/api/models/pull", this::pull);
    r.get("/api/models/pull/{id}/events", this::pullEvents);
    r.post("/api/models/import", this::importModel);
  }

  private ModelCatalog catalog() {
    return ModelCatalog.load(studio.home());
  }

  private void models(Context ctx) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = out.putArray("models");
    ModelStore store = ModelStore.of(studio.home());
    for (String id : studio.modelIds()) {
      ObjectNode n = list.addObject();
      n.put("id", id).put("default", id.equals(studio.checkpoint()));
      n.put("offered", studio.offered(id));
      store.find(id).ifPresent(m -> details(n, m));
    }
    ArrayNode catalog = out.putArray("catalog");
    for (CatalogEntry e : catalog().entries()) {
      ObjectNode n = catalog.addObject();
      n.put("id", e.id()).put("name", e.name()).put("kind", lower(e.kind()));
      n.put("family", e.family()).put("license", e.license());
      n.put("size", e.totalSize());
      n.put("installed", store.find(e.id()).map(m -> m.state().name()).orElse(null) != null);
      Pull p = pulls.get(e.id());
      n.put("pull", p == null ? null : p.state);
    }
    json(ctx, out);
  }

  /** What the store knows of a model; the folder it came from stays on the server. */
  private static void details(ObjectNode n, ModelStore.StoredModel m) {
    n.put("state", lower(m.state()));
    n.put("problem", m.problem());
    ModelManifest mf = m.manifest();
    if (mf == null) {
      return;
    }
    n.put("kind", lower(mf.kind()));
    n.put("name", mf.name());
    long size = 0;
    for (ModelManifest.FileRecord f : mf.files()) {
      size += f.size();
    }
    n.put("size", size).put("files", mf.files().size()).put("updated", mf.updated());
    if (mf.origin() != null) {
      ObjectNode o = n.putObject("origin").put("type", mf.origin().type());
      o.put("repo", mf.origin().repo()).put("revision", mf.origin().revision());
    }
  }

  private static String lower(Enum<?> e) {
    return e == null ? null : e.name().toLowerCase(Locale.ROOT);
  }

  /** {@code {"id": CATALOG_ID}} → 202: the pull runs in the background; follow its events. */
  private void pull(Context ctx) {
    JsonNode body = NativeApi.body(ctx);
    String id = body.path("id").asText(null);
    ModelCatalog catalog = catalog();
    if (id == null || catalog.find(id).isEmpty()) {
      throw new BadRequestException(
          "id: expected a catalog model id, one of "
              + catalog.entries().stream().map(CatalogEntry::id).toList()
              + ", found "
              + (id == null ? "none" : "'" + id + "'"));
    }
    CatalogEntry entry = catalog.find(id).orElseThrow();
    Pull started = new Pull(id);
    Pull p =
        pulls.compute(id, (k, old) -> old != null && old.state.equals("running") ? old : started);
    if (p == started) {
      Thread t = new Thread(() -> run(started, entry), "atelier-pull-" + id);
      t.setDaemon(true);
      t.start();
    }
    ctx.status(202);
    json(ctx, pullJson(p));
  }

  private void run(Pull p, CatalogEntry entry) {
    try {
      puller.get().pull(entry, progress -> p.progress = progress, CancelToken.NONE);
      p.state = "done";
    } catch (AtelierException e) {
      p.errorKind = e.kind().name().toLowerCase(Locale.ROOT);
      p.errorMessage = e.getMessage();
      p.state = "failed";
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "pull of " + p.id + " failed", e);
      p.errorKind = "internal";
      p.errorMessage = "pull of " + p.id + " failed: " + e;
      p.state = "failed";
    }
  }

  private static ObjectNode pullJson(Pull p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", p.id).put("state", p.state);
    DownloadProgress d = p.progress;
    if (d != null) {
      n.put("phase", lower(d.phase()));
      n.put("file", d.file()).put("fileIndex", d.fileIndex()).put("files", d.files());
      n.put("bytes", d.bytes()).put("total", d.total());
      n.put("rate", Math.round(d.rate()));
      n.put("eta", d.eta() == null ? null : d.eta().toSeconds());
    }
    if (p.errorKind != null) {
      n.putObject("error").put("kind", p.errorKind).put("message", p.errorMessage);
    }
    return n;
  }

  /** Server-Sent Events: {@code progress} when it changes, then {@code end} (done or failed). */
  private void pullEvents(Context ctx) throws IOException, InterruptedException {
    String id = ctx.pathParam("id");
    Pull p = pulls.get(id);
    if (p == null) {
      throw HttpError.notFound("pull", id);
    }
    ctx.res().setContentType("text/event-stream");
    ctx.res().setCharacterEncoding("UTF-8");
    ctx.res().setHeader("Cache-Control", "no-cache");
    OutputStream out = ctx.res().getOutputStream();
    String last = null;
    long deadline = System.nanoTime() + 6L * 3_600_000_000_000L;
    while (System.nanoTime() < deadline) {
      boolean over = !p.state.equals("running");
      String data = pullJson(p).toString();
      if (over || !data.equals(last)) {
        out.write(
            ("event: " + (over ? "end" : "progress") + "\ndata: " + data + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        last = data;
      }
      if (over) {
        return;
      }
      Thread.sleep(200);
    }
  }

  /**
   * {@code {"folder": NAME, "id": ID?, "kind": "pipeline"?}}: imports the model folder {@code NAME}
   * under the server's import root ({@code serve --import-root}, which needs a token), checked as
   * {@code atelier models import} checks it. Anything but a plain folder name inside the root is a
   * bad request; without an import root it is 403.
   */
  private void importModel(Context ctx) {
    Path root = studio.importRoot();
    if (root == null) {
      throw new HttpError(
          403,
          "forbidden",
          "import: expected a server started with --import-root DIR and --token, found imports"
              + " switched off; clients never name server paths");
    }
    JsonNode body = NativeApi.body(ctx);
    String name = body.path("folder").asText(null);
    if (name == null
        || name.isEmpty()
        || CraftRequests.pathLike(name)
        || name.startsWith(".")
        || name.contains(":")) {
      throw new BadRequestException(
          "folder: expected the name of a folder in the server's import root, found "
              + (name == null ? "none" : "'" + name + "'"));
    }
    Path dir;
    try {
      dir = root.resolve(name).toRealPath();
    } catch (IOException e) {
      throw new BadRequestException(
          "folder: expected a folder in the server's import root, found no '" + name + "'");
    }
    if (!dir.startsWith(root) || !Files.isDirectory(dir)) {
      throw new BadRequestException(
          "folder: expected a folder inside the server's import root, found '"
              + name
              + "' pointing elsewhere");
    }
    String id = body.path("id").asText(null);
    ModelKind kind = ModelKind.PIPELINE;
    ModelManifest m =
        ModelStore.of(studio.home())
            .importFolder(
                dir,
                id,
                kind,
                d -> StableDiffusion.load(d, SessionSettings.of(Device.CPU)).close(),
                false,
                progress -> {},
                CancelToken.NONE);
    ObjectNode out = JSON.createObjectNode();
    out.put("id", m.id()).put("kind", lower(m.kind())).put("files", m.files().size());
    ctx.status(201);
    json(ctx, out);
  }
}

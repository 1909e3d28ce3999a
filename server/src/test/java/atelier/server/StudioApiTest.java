package atelier.server;

import static atelier.server.StudioFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import atelier.pipeline.LatentPreview;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Studio's newer API parts over real HTTP on a real server, queue and tiny models: best-of-N
 * selection reports in the job, upscale jobs of gallery images.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StudioApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path UPSCALER =
      TinyModels.repoRoot().resolve("core/src/test/resources/upscale/tiny-x2-even.onnx");
  StudioFixture f;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    Path installed = dir.resolve("home/models/tiny-x2");
    Files.createDirectories(installed);
    Files.copy(UPSCALER, installed.resolve("model.onnx"));
    Files.writeString(installed.resolve(".atelier-manifest.json"), "{\"kind\":\"upscaler\"}");
    // Each preview takes a moment here, so the job is still running when the stream (which polls
    // every 100 ms) looks: a tiny model finishes two steps sooner than that.
    LatentPreview cheap = LatentPreview.cheap(2);
    LatentPreview slow =
        (latents, channels, height, width) -> {
          try {
            Thread.sleep(250);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return cheap.preview(latents, channels, height, width);
        };
    f = new StudioFixture(dir, 8L << 20, slow);
    f.startWorker();
  }

  @AfterAll
  void stop() {
    f.close();
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  JsonNode submitAndAwait(String body) throws Exception {
    HttpResponse<String> r = f.post("/api/jobs", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = json(r).path("id").asText();
    Await.until(
        Duration.ofSeconds(60),
        () -> "job " + id + " to finish",
        () -> {
          try {
            return !json(f.get("/api/jobs/" + id)).path("state").asText().matches("queued|running");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    JsonNode job = json(f.get("/api/jobs/" + id));
    assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("done");
    return job;
  }

  @Test
  @Order(1)
  void aBestOfNJobShowsEachCandidatesScoreAndWhyItWasRejected() throws Exception {
    JsonNode job =
        submitAndAwait(
            "{\"kind\":\"generate\",\"spec\":{\"prompt\":\"a hill\",\"model\":\""
                + MODEL
                + "\",\"width\":64,\"height\":64,\"steps\":2,\"seed\":20,\"candidates\":3,"
                + "\"keep\":1,\"scorers\":[\"technical\"]}}");
    JsonNode selection = job.path("result").path("selection");
    assertThat(selection.path("candidates").asInt()).isEqualTo(3);
    assertThat(selection.path("images")).hasSize(3);
    assertThat(selection.path("images").get(0).path("kept").asBoolean()).isTrue();
    for (int i = 1; i < 3; i++) {
      JsonNode c = selection.path("images").get(i);
      assertThat(c.path("kept").asBoolean()).isFalse();
      assertThat(c.path("rejected").asText()).isNotBlank();
      assertThat(c.path("score").isNumber()).isTrue();
    }
    assertThat(job.path("images")).hasSize(1);
    assertThat(job.path("images").get(0).path("record").path("settings").path("seed").asLong())
        .isEqualTo(selection.path("images").get(0).path("seed").asLong());
  }

  @Test
  @Order(2)
  void aGalleryImageIsUpscaledByIdWithTheChosenModelAndScale() throws Exception {
    JsonNode gallery = json(f.get("/api/gallery?limit=1")).path("images").get(0);
    assertThat(json(f.get("/api/upscalers")).path("upscalers").findValuesAsText("")).isNotNull();
    assertThat(json(f.get("/api/upscalers")).path("upscalers").get(0).asText())
        .isEqualTo("tiny-x2");
    JsonNode job =
        submitAndAwait(
            "{\"kind\":\"upscale\",\"spec\":{\"inputImage\":\""
                + gallery.path("id").asText()
                + "\",\"model\":\"tiny-x2\",\"scale\":2}}");
    assertThat(job.path("spec").has("inputImage")).isFalse();
    assertThat(job.path("spec").path("inputData").asText()).endsWith("bytes)");
    JsonNode image = job.path("images").get(0);
    HttpResponse<byte[]> png =
        f.http.send(
            f.request(image.path("url").asText()).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
    BufferedImage up = ImageIO.read(new ByteArrayInputStream(png.body()));
    assertThat(up.getWidth()).isEqualTo(128);
    assertThat(up.getHeight()).isEqualTo(128);
    assertThat(image.path("record").toString())
        .as("the upscale keeps the generation's record")
        .contains("a hill");
  }

  @Test
  @Order(3)
  void upscaleRequestsNamingFilesOrUnknownImagesAreRefused() throws Exception {
    int before = f.queue.list(null, 0, 1000).size();
    HttpResponse<String> unknown =
        f.post(
            "/api/jobs", "{\"kind\":\"upscale\",\"spec\":{\"inputImage\":\"../../etc/passwd\"}}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json(unknown).path("error").path("message").asText())
        .isEqualTo(
            "upscale spec field 'inputImage': expected the id of a gallery image, found"
                + " '../../etc/passwd'");
    String id = json(f.get("/api/gallery?limit=1")).path("images").get(0).path("id").asText();
    HttpResponse<String> path =
        f.post(
            "/api/jobs",
            "{\"kind\":\"upscale\",\"spec\":{\"inputImage\":\""
                + id
                + "\",\"model\":\"/tmp/x.onnx\"}}");
    assertThat(path.statusCode()).isEqualTo(400);
    assertThat(json(path).path("error").path("message").asText())
        .isEqualTo(
            "upscale spec field 'model': expected an installed id, found a path '/tmp/x.onnx'");
    HttpResponse<String> missing =
        f.post(
            "/api/jobs",
            "{\"kind\":\"upscale\",\"spec\":{\"inputImage\":\"" + id + "\",\"model\":\"esrgan\"}}");
    assertThat(json(missing).path("error").path("message").asText())
        .isEqualTo(
            "upscale spec field 'model': expected an installed upscaler id or family, one of"
                + " [tiny-x2], found 'esrgan'");
    assertThat(f.queue.list(null, 0, 1000)).hasSize(before);
  }

  String galleryId() throws Exception {
    return json(f.get("/api/gallery?limit=1")).path("images").get(0).path("id").asText();
  }

  @Test
  @Order(4)
  void aRecipesDryRunShowsItsPlanAndKeepsNoUpload() throws Exception {
    JsonNode recipes = json(f.get("/api/recipes")).path("recipes");
    assertThat(recipes.findValuesAsText("name"))
        .contains("desktop-wallpaper", "art-name", "landmark", "collectible-series");
    // the wallpapers take an optional photo (outpainted to the screen's aspect)
    for (JsonNode n : recipes) {
      assertThat(n.path("optionalPicture").asBoolean())
          .as(n.path("name").asText())
          .isEqualTo(n.path("name").asText().endsWith("-wallpaper"));
    }
    HttpResponse<String> r =
        f.post(
            "/api/recipes/preview",
            "{\"spec\":{\"recipe\":\"landmark\",\"inputImage\":\""
                + galleryId()
                + "\",\"seed\":5,\"sets\":{\"style\":\"anime\",\"generate.base\":\"64\"}}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode plan = json(r);
    assertThat(plan.path("recipe").asText()).isEqualTo("landmark");
    JsonNode job = plan.path("jobs").get(0);
    assertThat(job.path("prompt").asText()).contains("anime");
    assertThat(job.path("seed").asLong()).isEqualTo(5);
    assertThat(job.path("width").asInt()).isEqualTo(64);
    assertThat(job.path("height").asInt()).isEqualTo(64);
    assertThat(job.path("batch").asInt()).isEqualTo(2);
    assertThat(job.path("strength").asDouble()).isEqualTo(0.55);
    assertThat(job.path("basemap").asText()).startsWith("data:image/png;base64,");
    try (var files = Files.list(f.dir.resolve("outputs/uploads"))) {
      assertThat(files).as("a preview keeps no upload").isEmpty();
    }
  }

  @Test
  @Order(5)
  void aRecipeJobRunsOnAnUploadedPictureWithoutShowingTheServersPath() throws Exception {
    byte[] png =
        Files.readAllBytes(
            f.dir.resolve("outputs").resolve(f.queue.image(galleryId()).orElseThrow().path()));
    JsonNode job =
        submitAndAwait(
            "{\"kind\":\"recipe\",\"spec\":{\"recipe\":\"landmark\",\"inputData\":\""
                + java.util.Base64.getEncoder().encodeToString(png)
                + "\",\"sets\":{\"style\":\"anime\",\"generate.base\":\"64\","
                + "\"generate.batch\":\"1\",\"generate.steps\":\"2\"}}}");
    assertThat(job.path("spec").path("input").asText()).isEqualTo("(uploaded picture)");
    assertThat(job.path("spec").path("seed").isNumber()).isTrue();
    assertThat(job.path("images")).hasSize(1);
    assertThat(job.path("images").get(0).path("recipe").asText()).isEqualTo("landmark");
    assertThat(job.path("images").get(0).path("prompt").asText()).contains("anime");
  }

  @Test
  @Order(6)
  void recipeAndSweepFieldsThatCouldNameServerFilesAreRefused() throws Exception {
    int before = f.queue.list(null, 0, 1000).size();
    String[][] cases = {
      {
        "{\"kind\":\"recipe\",\"spec\":{\"recipe\":\"/etc/x.yaml\"}}",
        "recipe spec field 'recipe': expected a recipe name, one of ["
      },
      {
        "{\"kind\":\"recipe\",\"spec\":{\"recipe\":\"landmark\",\"input\":\"/etc/passwd\"}}",
        "recipe spec field 'input': the server reads no file a client names; expected the"
            + " picture's bytes in inputData (base64) or a gallery image id in inputImage, found a"
            + " path"
      },
      {
        "{\"kind\":\"recipe\",\"spec\":{\"recipe\":\"art-name\",\"text\":\"A\","
            + "\"sets\":{\"basemap\":\"[logo:file=/etc/passwd]\"}}}",
        "recipe spec field 'sets.basemap': expected a recipe parameter or a generate, upscale or"
            + " select setting, found a basemap override (its operations can read server files)"
      },
      {
        "{\"kind\":\"recipe\",\"spec\":{\"recipe\":\"art-name\",\"text\":\"A\","
            + "\"sets\":{\"select.by\":\"quality:../../secret\"}}}",
        "recipe spec field 'sets.select.by': expected a value, found a path"
            + " 'quality:../../secret'"
      },
      {
        "{\"kind\":\"recipe\",\"spec\":{\"recipe\":\"art-name\",\"text\":\"A\","
            + "\"loras\":[{\"name\":\"/etc/x.safetensors\",\"weight\":1}]}}",
        "recipe spec field 'loras[0].name': expected an installed LoRA's name (atelier models"
            + " import FILE --kind lora), found a file '/etc/x.safetensors'"
      },
      {
        "{\"kind\":\"generate\",\"spec\":{\"prompt\":\"a\","
            + "\"loras\":[{\"name\":\"/etc/x.safetensors\",\"weight\":1}]}}",
        "generate spec field 'loras[0].name': expected an installed LoRA's name (atelier models"
            + " import FILE --kind lora), found a file '/etc/x.safetensors'"
      },
      {
        "{\"kind\":\"generate\",\"spec\":{\"prompt\":\"a <lora:x.safetensors:0.5>\"}}",
        "generate spec field 'prompt': expected <lora:NAME:W> naming an installed LoRA (atelier"
            + " models import FILE --kind lora), found a file 'x.safetensors'"
      },
      {
        "{\"kind\":\"sweep\",\"spec\":{\"prompt\":\"a\","
            + "\"x\":\"prompt=a <lora:../up/l:1>,b\"}}",
        "sweep spec field 'x': expected <lora:NAME:W> naming an installed LoRA (atelier models"
            + " import FILE --kind lora), found a file '../up/l'"
      },
      {
        "{\"kind\":\"sweep\",\"spec\":{\"prompt\":\"a\",\"x\":\"steps=1,2\","
            + "\"ops\":[\"logo:file=/etc/passwd\"]}}",
        "sweep spec field 'ops[0]': expected a basemap operation that reads no file, found"
            + " 'logo:file=/etc/passwd'"
      },
      {
        "{\"kind\":\"generate\",\"spec\":{\"prompt\":\"a\",\"candidates\":2,"
            + "\"scorers\":[\"quality:/tmp/m.tribuo\"]}}",
        "generate spec field 'scorers[0]': expected a scorer name (technical, clip, aesthetic,"
            + " quality:NAME), found a path 'quality:/tmp/m.tribuo'"
      },
      {
        "{\"kind\":\"generate\",\"spec\":{\"prompt\":\"a\","
            + "\"controls\":[{\"model\":\"canny\",\"image\":\"/etc/passwd\"}]}}",
        "generate spec field 'controls[0].image': the server reads no file a client names;"
            + " expected the control image's bytes in controls[0].imageData (base64), found a path"
      },
      {
        "{\"kind\":\"generate\",\"spec\":{\"prompt\":\"a\","
            + "\"controls\":[{\"model\":\"/srv/cn\",\"imageData\":\"AAAA\"}]}}",
        "generate spec field 'controls[0].model': expected an installed id, found a path '/srv/cn'"
      },
      {
        "{\"kind\":\"generate\",\"spec\":{\"prompt\":\"a\","
            + "\"inpaint\":{\"mask\":\"/etc/mask.png\"}}}",
        "generate spec field 'inpaint.mask': the server reads no file a client names; expected the"
            + " mask's bytes in maskData (base64), found a path"
      },
    };
    for (String[] c : cases) {
      HttpResponse<String> r = f.post("/api/jobs", c[0]);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(json(r).path("error").path("message").asText()).as(c[0]).startsWith(c[1]);
    }
    assertThat(f.queue.list(null, 0, 1000)).hasSize(before);
  }

  @Test
  @Order(7)
  void theProgressStreamCarriesPreviewPicturesMadeFromTheLatents() throws Exception {
    HttpResponse<String> r =
        f.post(
            "/api/jobs",
            "{\"kind\":\"generate\",\"spec\":{\"prompt\":\"a preview\",\"model\":\""
                + MODEL
                + "\",\"width\":64,\"height\":64,\"steps\":3}}");
    String id = json(r).path("id").asText();
    HttpResponse<String> events =
        f.http.send(
            f.request("/api/jobs/" + id + "/events").build(), HttpResponse.BodyHandlers.ofString());
    java.util.List<JsonNode> previews = new java.util.ArrayList<>();
    String[] lines = events.body().split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].equals("event: preview")) {
        previews.add(JSON.readTree(lines[i + 1].substring("data: ".length())));
      }
    }
    assertThat(events.body()).contains("event: end");
    assertThat(previews).as(events.body()).isNotEmpty();
    for (JsonNode p : previews) {
      // PNDM's 3 steps are 4 UNet steps (its first step runs twice).
      assertThat(p.path("step").asInt()).isBetween(1, 4);
      String url = p.path("png").asText();
      assertThat(url).startsWith("data:image/png;base64,");
      byte[] png = java.util.Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1));
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
      assertThat(img.getWidth()).as("8×8 latents enlarged twice").isEqualTo(16);
      assertThat(img.getHeight()).isEqualTo(16);
    }
  }

  @Test
  @Order(8)
  void clientsSeeTheModelsIdNeverTheServersModelFolder() throws Exception {
    String folder = TinyModels.model(MODEL).toString();
    JsonNode jobs = json(f.get("/api/jobs?limit=100"));
    assertThat(jobs.toString()).doesNotContain(folder);
    assertThat(jobs.path("jobs").findValuesAsText("model")).contains(MODEL);
    JsonNode gallery = json(f.get("/api/gallery?limit=100"));
    assertThat(gallery.toString()).doesNotContain(folder);
    JsonNode image = gallery.path("images").get(gallery.path("images").size() - 1);
    assertThat(image.path("record").path("model").path("path").asText()).isEqualTo(MODEL);
    HttpResponse<byte[]> png =
        f.http.send(
            f.request(image.path("url").asText()).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
    Path file = Files.write(f.dir.resolve("download.png"), png.body());
    assertThat(new String(png.body(), java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(folder);
    atelier.pipeline.ImageRecord record = atelier.pipeline.ArtworkPng.read(file);
    assertThat(record.model().path()).isEqualTo(MODEL);
    assertThat(record.model().id()).isEqualTo(MODEL);
    assertThat(ImageIO.read(file.toFile()).getWidth()).isEqualTo(64);
  }

  @Test
  @Order(9)
  void aSweepRunsOverHttpOnAGalleryImageAsItsBasemap() throws Exception {
    JsonNode job =
        submitAndAwait(
            "{\"kind\":\"sweep\",\"spec\":{\"prompt\":\"a tower\",\"x\":\"steps=2,3\","
                + "\"width\":64,\"height\":64,\"seed\":4,\"strength\":0.6,\"initImage\":\""
                + galleryId()
                + "\"}}");
    assertThat(job.path("spec").path("init").asText()).isEqualTo("(uploaded picture)");
    assertThat(job.path("spec").path("model").asText()).isEqualTo(MODEL);
    assertThat(job.path("images")).hasSize(2);
    for (JsonNode image : job.path("images")) {
      assertThat(image.path("record").path("settings").path("strength").asDouble()).isEqualTo(0.6);
    }
  }
}

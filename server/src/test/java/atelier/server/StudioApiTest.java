package atelier.server;

import static atelier.server.StudioFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

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
    f = new StudioFixture(dir, 8L << 20);
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
}

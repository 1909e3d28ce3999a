package atelier.server;

import static atelier.server.StudioFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The native API over real HTTP on loopback, against a real server, queue and tiny model. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NativeApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  Path dir;
  StudioFixture f;

  @BeforeAll
  void start(@TempDir Path tmp) {
    dir = tmp;
    f = new StudioFixture(dir, 2L << 20);
  }

  @AfterAll
  void stop() {
    f.close();
  }

  static String generate(String prompt, String extra) {
    return "{\"kind\":\"generate\",\"spec\":{\"prompt\":\""
        + prompt
        + "\",\"model\":\""
        + MODEL
        + "\",\"width\":64,\"height\":64,\"steps\":2"
        + extra
        + "}}";
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  JsonNode awaitFinal(String id) throws Exception {
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
    return json(f.get("/api/jobs/" + id));
  }

  @Test
  @Order(1)
  void aQueuedJobCanBeCancelledAndListed() throws Exception {
    HttpResponse<String> r = f.post("/api/jobs", generate("to cancel", ""));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode job = json(r);
    assertThat(job.path("state").asText()).isEqualTo("queued");
    assertThat(job.path("spec").path("seed").isNumber()).as("seed fixed at submission").isTrue();
    String id = job.path("id").asText();
    assertThat(json(f.get("/api/jobs?state=queued")).path("jobs").findValuesAsText("id"))
        .contains(id);
    JsonNode cancelled = json(f.post("/api/jobs/" + id + "/cancel", ""));
    assertThat(cancelled.path("state").asText()).isEqualTo("cancelled");
    HttpResponse<String> again = f.post("/api/jobs/" + id + "/cancel", "");
    assertThat(again.statusCode()).isEqualTo(200);
    HttpResponse<String> unknown = f.post("/api/jobs/nope/cancel", "");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).path("error").path("kind").asText()).isEqualTo("not_found");
  }

  @Test
  @Order(2)
  void badRequestsAreRefusedWithTheClisMessagesAndQueueNothing() throws Exception {
    int before = f.queue.list(null, 0, 1000).size();
    HttpResponse<String> size = f.post("/api/jobs", generate("x", ",\"width\":500"));
    assertThat(size.statusCode()).isEqualTo(400);
    assertThat(json(size).path("error").path("kind").asText()).isEqualTo("bad_request");
    assertThat(json(size).path("error").path("message").asText())
        .startsWith("width: expected a multiple of 8")
        .contains("found 500");
    HttpResponse<String> path = f.post("/api/jobs", generate("x", ",\"init\":\"/etc/passwd\""));
    assertThat(path.statusCode()).isEqualTo(400);
    assertThat(json(path).path("error").path("message").asText())
        .contains("'init'")
        .contains("initData");
    HttpResponse<String> model =
        f.post(
            "/api/jobs",
            "{\"kind\":\"generate\",\"spec\":{\"prompt\":\"x\",\"model\":\"../../etc\"}}");
    assertThat(model.statusCode()).isEqualTo(400);
    assertThat(json(model).path("error").path("message").asText())
        .contains("expected a model id")
        .contains("'../../etc'");
    HttpResponse<String> kind = f.post("/api/jobs", "{\"kind\":\"rm\",\"spec\":{}}");
    assertThat(json(kind).path("error").path("message").asText())
        .isEqualTo("kind: expected one of generate, upscale, recipe, sweep, found 'rm'");
    HttpResponse<String> field = f.post("/api/jobs", generate("x", ",\"stepz\":3"));
    assertThat(json(field).path("error").path("message").asText())
        .startsWith("generate spec field 'stepz': expected one of");
    HttpResponse<String> notJson = f.post("/api/jobs", "{");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(f.queue.list(null, 0, 1000)).hasSize(before);
  }

  @Test
  @Order(3)
  void aPixelBombBasemapIsRefusedBeforeDecoding() throws Exception {
    String bomb = Base64.getEncoder().encodeToString(pngHeader(100_000, 100_000));
    HttpResponse<String> r =
        f.post("/api/jobs", generate("x", ",\"initData\":\"" + bomb + "\",\"strength\":0.5"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(json(r).path("error").path("message").asText()).contains("100000");
  }

  @Test
  @Order(4)
  void uploadsOverTheLimitAre413() throws Exception {
    String big = "A".repeat(3 << 20);
    HttpResponse<String> r = f.post("/api/jobs", generate("x", ",\"initData\":\"" + big + "\""));
    assertThat(r.statusCode()).isEqualTo(413);
  }

  @Test
  @Order(5)
  void tokenIsRequiredAndTheBrowserGetsAStrictCookie() throws Exception {
    HttpResponse<String> none =
        f.http.send(
            HttpRequest.newBuilder(f.uri("/api/models")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(json(none).path("error").path("kind").asText()).isEqualTo("unauthorized");
    HttpResponse<String> wrong =
        f.http.send(
            HttpRequest.newBuilder(f.uri("/api/models"))
                .header("Authorization", "Bearer nope")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(401);
    String basic = Base64.getEncoder().encodeToString(("user:" + StudioFixture.TOKEN).getBytes());
    HttpResponse<String> a1111 =
        f.http.send(
            HttpRequest.newBuilder(f.uri("/sdapi/v1/sd-models"))
                .header("Authorization", "Basic " + basic)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(a1111.statusCode()).isEqualTo(200);
    HttpResponse<String> page =
        f.http.send(
            HttpRequest.newBuilder(f.uri("/?token=" + StudioFixture.TOKEN)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(302);
    String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).contains("SameSite=Strict").contains("HttpOnly");
    HttpResponse<String> withCookie =
        f.http.send(
            HttpRequest.newBuilder(f.uri("/api/models"))
                .header("Cookie", cookie.substring(0, cookie.indexOf(';')))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(withCookie.statusCode()).isEqualTo(200);
    HttpResponse<String> cors =
        f.http.send(
            f.request("/api/models").header("Origin", "http://evil.example").build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(cors.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  @Order(6)
  void aJobRunsToDoneWithItsImageInTheGalleryAndProgressEvents() throws Exception {
    f.startWorker();
    HttpResponse<String> r = f.post("/api/jobs", generate("a lighthouse", ",\"seed\":42"));
    String id = json(r).path("id").asText();
    HttpResponse<String> events =
        f.http.send(
            f.request("/api/jobs/" + id + "/events").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(events.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    assertThat(events.body()).contains("event: end");
    String last = events.body().substring(events.body().lastIndexOf("data: ") + 6).trim();
    JsonNode end = JSON.readTree(last);
    assertThat(end.path("state").asText()).isEqualTo("done");
    assertThat(end.path("step").asInt()).isEqualTo(end.path("total").asInt()).isPositive();
    JsonNode job = awaitFinal(id);
    assertThat(job.path("state").asText()).isEqualTo("done");
    JsonNode image = job.path("images").get(0);
    assertThat(image.path("record").path("settings").path("seed").asLong()).isEqualTo(42);
    assertThat(image.path("model").asText()).isEqualTo(MODEL);
    HttpResponse<byte[]> png =
        f.http.send(
            f.request(image.path("url").asText()).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(png.statusCode()).isEqualTo(200);
    assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
    assertThat(new String(png.body(), java.nio.charset.StandardCharsets.ISO_8859_1))
        .contains("atelier")
        .contains("parameters");

    JsonNode gallery = json(f.get("/api/gallery?q=LIGHTHOUSE"));
    assertThat(gallery.path("images")).hasSize(1);
    assertThat(gallery.path("images").get(0).path("id").asText())
        .isEqualTo(image.path("id").asText());
    assertThat(
            gallery.path("images").get(0).path("record").path("settings").path("prompt").asText())
        .isEqualTo("a lighthouse");
    assertThat(json(f.get("/api/gallery?q=zebra")).path("images")).isEmpty();

    HttpResponse<String> del =
        f.http.send(
            f.request(image.path("url").asText()).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(del.statusCode()).isEqualTo(204);
    assertThat(f.get(image.path("url").asText()).statusCode()).isEqualTo(404);
    try (var files = Files.list(dir.resolve("outputs"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  @Order(7)
  void listsAndTheOpenApiDescriptionAnswer() throws Exception {
    assertThat(json(f.get("/api/models")).path("models").findValuesAsText("id")).contains(MODEL);
    assertThat(json(f.get("/api/recipes")).path("recipes").isArray()).isTrue();
    assertThat(json(f.get("/api/prompts")).path("categories").isArray()).isTrue();
    JsonNode api = json(f.get("/api/openapi.json"));
    assertThat(api.path("openapi").asText()).startsWith("3.");
    assertThat(api.path("paths").has("/api/jobs/{id}/events")).isTrue();
    assertThat(f.get("/api/images/..%2F..%2Fq.db").statusCode()).isEqualTo(404);
  }

  /** A PNG whose header declares {@code w}×{@code h} pixels, with a tiny data chunk. */
  static byte[] pngHeader(int w, int h) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    java.util.zip.Deflater d = new java.util.zip.Deflater();
    d.setInput(new byte[64]);
    d.finish();
    byte[] buf = new byte[256];
    int n = d.deflate(buf);
    chunk(out, "IDAT", java.util.Arrays.copyOf(buf, n));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    CRC32 crc = new CRC32();
    crc.update(type.getBytes());
    crc.update(data);
    out.writeBytes(type.getBytes());
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}

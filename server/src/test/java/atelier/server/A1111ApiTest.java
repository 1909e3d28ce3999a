package atelier.server;

import static atelier.server.StudioFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The A1111 subset over real HTTP, with request bodies of the shape Open WebUI's images router
 * sends (prompt, batch_size, width, height, optional steps and negative_prompt, then the admin's
 * AUTOMATIC1111_PARAMS merged in) and its Basic {@code authorization} header.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class A1111ApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  StudioFixture f;
  final String basic =
      "Basic "
          + Base64.getEncoder()
              .encodeToString(
                  ("openwebui:" + StudioFixture.TOKEN).getBytes(StandardCharsets.UTF_8));

  @BeforeAll
  void start(@TempDir Path dir) {
    f = new StudioFixture(dir, 8L << 20);
    f.startWorker();
  }

  @AfterAll
  void stop() {
    f.close();
  }

  HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(f.uri(path))
            .header("authorization", basic)
            .header("Content-Type", "application/json");
    b =
        body == null
            ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.method(method, HttpRequest.BodyPublishers.ofString(body));
    return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void openWebUisTxt2imgGetsImagesParametersAndInfoAsAJsonString() throws Exception {
    // Open WebUI: {prompt, batch_size: n, width, height, steps, negative_prompt} + params.
    String body =
        "{\"prompt\":\"a lighthouse\",\"batch_size\":2,\"width\":64,\"height\":64,\"steps\":2,"
            + "\"negative_prompt\":\"blurry\",\"cfg_scale\":7,\"sampler_name\":\"DPM++ 2M\","
            + "\"scheduler\":\"Karras\",\"seed\":1234}";
    HttpResponse<String> r = call("POST", "/sdapi/v1/txt2img", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode res = JSON.readTree(r.body());
    assertThat(res.path("images")).hasSize(2);
    byte[] png = Base64.getDecoder().decode(res.path("images").get(0).asText());
    assertThat(ImageIO.read(new java.io.ByteArrayInputStream(png)).getWidth()).isEqualTo(64);
    assertThat(res.path("parameters").path("prompt").asText()).isEqualTo("a lighthouse");
    assertThat(res.path("info").isTextual()).isTrue();
    JsonNode info = JSON.readTree(res.path("info").asText());
    assertThat(info.path("seed").asLong()).isEqualTo(1234);
    assertThat(info.path("all_seeds").toString()).isEqualTo("[1234,1235]");
    assertThat(info.path("sampler_name").asText()).isEqualTo("DPM++ 2M Karras");
    assertThat(info.path("sd_model_name").asText()).isEqualTo(MODEL);
    assertThat(info.path("infotexts").get(0).asText())
        .startsWith("a lighthouse\nNegative prompt: blurry\nSteps: 2, Sampler: DPM++ 2M Karras");

    // png-info reads the parameters back, as A1111 does.
    HttpResponse<String> pi =
        call(
            "POST",
            "/sdapi/v1/png-info",
            "{\"image\":\"data:image/png;base64," + res.path("images").get(0).asText() + "\"}");
    JsonNode pngInfo = JSON.readTree(pi.body());
    assertThat(pngInfo.path("info").asText()).contains("Seed: 1234");
    assertThat(pngInfo.path("parameters").path("Prompt").asText()).isEqualTo("a lighthouse");
    assertThat(pngInfo.path("parameters").path("Seed").asText()).isEqualTo("1234");
    assertThat(pngInfo.path("items").has("atelier")).isTrue();

    // The job went through the persistent queue.
    assertThat(f.queue.list(JobState.DONE, 0, 100)).isNotEmpty();
  }

  @Test
  void img2imgTakesInitImagesAndRefusesMasks() throws Exception {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    String b64 = Base64.getEncoder().encodeToString(out.toByteArray());
    HttpResponse<String> r =
        call(
            "POST",
            "/sdapi/v1/img2img",
            "{\"prompt\":\"a fox\",\"init_images\":[\""
                + b64
                + "\"],\"denoising_strength\":0.5,\"width\":64,\"height\":64,\"steps\":4,"
                + "\"seed\":5}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode info = JSON.readTree(JSON.readTree(r.body()).path("info").asText());
    assertThat(info.path("denoising_strength").asDouble()).isEqualTo(0.5);
    assertThat(JSON.readTree(r.body()).path("images")).hasSize(1);

    HttpResponse<String> mask =
        call(
            "POST",
            "/sdapi/v1/img2img",
            "{\"prompt\":\"a fox\",\"init_images\":[\"" + b64 + "\"],\"mask\":\"" + b64 + "\"}");
    assertThat(mask.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(mask.body()).path("detail").asText())
        .startsWith("mask: inpainting is not supported yet");
  }

  @Test
  void badValuesAre400WithTheClisMessages() throws Exception {
    HttpResponse<String> size =
        call("POST", "/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"width\":500,\"height\":64}");
    assertThat(size.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(size.body()).path("error").path("message").asText())
        .startsWith("width: expected a multiple of 8");
    HttpResponse<String> sampler =
        call("POST", "/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"sampler_name\":\"DPM++ 3M\"}");
    assertThat(sampler.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(sampler.body()).path("detail").asText())
        .startsWith("sampler_name: expected one of [")
        .endsWith("found 'DPM++ 3M'");
    HttpResponse<String> noAuth =
        f.http.send(
            HttpRequest.newBuilder(f.uri("/sdapi/v1/options")).header("authorization", "").build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(noAuth.statusCode()).isEqualTo(401);
    assertThat(noAuth.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"atelier\"");
  }

  @Test
  void modelsSamplersOptionsProgressAndInterrupt() throws Exception {
    JsonNode models = JSON.readTree(call("GET", "/sdapi/v1/sd-models", null).body());
    assertThat(models.get(0).path("title").asText()).isEqualTo(MODEL);
    assertThat(models.get(0).path("model_name").asText()).isEqualTo(MODEL);
    JsonNode samplers = JSON.readTree(call("GET", "/sdapi/v1/samplers", null).body());
    assertThat(samplers.findValuesAsText("name"))
        .contains("Euler a", "DPM++ 2M Karras", "DDIM", "Heun", "UniPC", "DPM++ 2M SDE Karras");
    assertThat(
            JSON.readTree(call("GET", "/sdapi/v1/options", null).body())
                .path("sd_model_checkpoint")
                .asText())
        .isEqualTo(MODEL);
    assertThat(
            call(
                    "POST",
                    "/sdapi/v1/options",
                    "{\"sd_model_checkpoint\":\"" + MODEL + " [abc123]\"}")
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> unknown =
        call("POST", "/sdapi/v1/options", "{\"sd_model_checkpoint\":\"v1-5-pruned.safetensors\"}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(
            JSON.readTree(call("GET", "/sdapi/v1/options", null).body())
                .path("sd_model_checkpoint")
                .asText())
        .as("a refused change changes nothing")
        .isEqualTo(MODEL);
    JsonNode progress = JSON.readTree(call("GET", "/sdapi/v1/progress", null).body());
    assertThat(progress.has("progress")).isTrue();
    assertThat(progress.has("eta_relative")).isTrue();
    assertThat(progress.path("state").has("sampling_steps")).isTrue();
    assertThat(call("POST", "/sdapi/v1/interrupt", null).statusCode()).isEqualTo(200);
  }
}

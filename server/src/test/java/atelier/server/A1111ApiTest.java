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
  void img2imgTakesInitImagesAndRefusesAnEmptyMask() throws Exception {
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

    // an all-black mask: nothing to inpaint, a bad request
    HttpResponse<String> black =
        call(
            "POST",
            "/sdapi/v1/img2img",
            "{\"prompt\":\"a fox\",\"init_images\":[\""
                + b64
                + "\"],\"mask\":\""
                + b64
                + "\","
                + "\"width\":64,\"height\":64,\"steps\":2}");
    assertThat(black.statusCode()).as(black.body()).isEqualTo(400);
    assertThat(JSON.readTree(black.body()).path("detail").asText())
        .contains("an all-black mask: nothing to inpaint");
  }

  @Test
  void img2imgInpaintsWithA1111sMaskFields() throws Exception {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    BufferedImage mask = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | 60);
        mask.setRGB(x, y, x >= 16 && x < 40 && y >= 16 && y < 40 ? 0xffffff : 0);
      }
    }
    String init = b64(img);
    String m = b64(mask);
    HttpResponse<String> r =
        call(
            "POST",
            "/sdapi/v1/img2img",
            "{\"prompt\":\"a fox\",\"init_images\":[\""
                + init
                + "\"],\"mask\":\""
                + m
                + "\","
                + "\"mask_blur\":2,\"inpainting_fill\":1,\"inpaint_full_res\":0,"
                + "\"inpainting_mask_invert\":0,\"denoising_strength\":0.9,\"width\":64,"
                + "\"height\":64,\"steps\":3,\"seed\":5}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode res = JSON.readTree(r.body());
    JsonNode info = JSON.readTree(res.path("info").asText());
    assertThat(info.path("infotexts").get(0).asText())
        .contains("Mask blur: 2", "Masked content: original")
        .doesNotContain("Inpaint area");
    BufferedImage out =
        ImageIO.read(
            new java.io.ByteArrayInputStream(
                Base64.getDecoder().decode(res.path("images").get(0).asText())));
    // far from the mask the original is pasted back exactly; inside it is repainted
    assertThat(out.getRGB(60, 60) & 0xffffff).isEqualTo(img.getRGB(60, 60) & 0xffffff);
    assertThat(out.getRGB(2, 2) & 0xffffff).isEqualTo(img.getRGB(2, 2) & 0xffffff);
    assertThat(out.getRGB(28, 28) & 0xffffff).isNotEqualTo(img.getRGB(28, 28) & 0xffffff);

    HttpResponse<String> bad =
        call(
            "POST",
            "/sdapi/v1/img2img",
            "{\"prompt\":\"a fox\",\"init_images\":[\""
                + init
                + "\"],\"mask\":\""
                + m
                + "\","
                + "\"inpainting_fill\":7}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).path("detail").asText())
        .startsWith("inpainting_fill: expected 0 (fill), 1 (original)");
  }

  static String b64(BufferedImage img) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return Base64.getEncoder().encodeToString(out.toByteArray());
  }

  @Test
  void variationSeedsClipSkipAndRandomSeedsMapAsA1111() throws Exception {
    String body =
        "{\"prompt\":\"a lighthouse\",\"batch_size\":2,\"width\":64,\"height\":64,\"steps\":2,"
            + "\"seed\":99,\"subseed\":7,\"subseed_strength\":0.3,"
            + "\"override_settings\":{\"CLIP_stop_at_last_layers\":2}}";
    HttpResponse<String> r = call("POST", "/sdapi/v1/txt2img", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode info = JSON.readTree(JSON.readTree(r.body()).path("info").asText());
    // A1111 keeps the seed across a batch with variation and steps the variation seed.
    assertThat(info.path("all_seeds").toString()).isEqualTo("[99,99]");
    assertThat(info.path("subseed").asLong()).isEqualTo(7);
    assertThat(info.path("all_subseeds").toString()).isEqualTo("[7,8]");
    assertThat(info.path("subseed_strength").asDouble()).isEqualTo(0.3);
    assertThat(info.path("clip_skip").asInt()).isEqualTo(2);
    assertThat(info.path("infotexts").get(1).asText())
        .contains("Seed: 99,", "Variation seed: 8, Variation seed strength: 0.3,", "Clip skip: 2");

    // -1 seeds are drawn when the job is queued: concrete values come back.
    HttpResponse<String> random =
        call(
            "POST",
            "/sdapi/v1/txt2img",
            "{\"prompt\":\"x\",\"width\":64,\"height\":64,\"steps\":1,\"seed\":-1,"
                + "\"subseed\":-1,\"subseed_strength\":0.5}");
    assertThat(random.statusCode()).as(random.body()).isEqualTo(200);
    JsonNode ri = JSON.readTree(JSON.readTree(random.body()).path("info").asText());
    assertThat(ri.path("seed").asLong()).isBetween(0L, 0xFFFF_FFFFL);
    assertThat(ri.path("subseed").asLong()).isBetween(0L, 0xFFFF_FFFFL);

    HttpResponse<String> bad =
        call(
            "POST",
            "/sdapi/v1/txt2img",
            "{\"prompt\":\"x\",\"override_settings\":{\"CLIP_stop_at_last_layers\":13}}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).path("error").path("message").asText())
        .isEqualTo("clip skip: expected 1 to 12 layers, found 13");
  }

  @Test
  void badValuesAre400WithTheClisMessages() throws Exception {
    HttpResponse<String> size =
        call("POST", "/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"width\":500,\"height\":64}");
    assertThat(size.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(size.body()).path("error").path("message").asText())
        .startsWith("width: expected a multiple of 8");
    HttpResponse<String> sampler =
        call("POST", "/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"sampler_name\":\"Heun++ 9M\"}");
    assertThat(sampler.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(sampler.body()).path("detail").asText())
        .startsWith("sampler_name: expected one of [")
        .endsWith("found 'Heun++ 9M'");
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
    assertThat(samplers.findValuesAsText("name")).contains("Euler a", "DPM++ 2M Karras", "DDIM");
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

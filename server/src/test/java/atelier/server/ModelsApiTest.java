package atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.FakeHub;
import atelier.testing.StoreFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models over HTTP against a real server and a loopback Hugging Face hub (core's {@link FakeHub})
 * serving the tiny model: the list with details and the catalog, a pull followed to its end on the
 * progress stream, and imports only from the operator's import root, by folder name.
 */
class ModelsApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  FakeHub hub;
  StudioFixture f;

  @BeforeEach
  void start() throws Exception {
    hub = new FakeHub().publish(StoreFixtures.REPO, StoreFixtures.REVISION, StoreFixtures.tinySd());
    Path home = Files.createDirectories(dir.resolve("home"));
    StringBuilder files = new StringBuilder();
    for (String p : StoreFixtures.paths()) {
      files.append(files.length() == 0 ? "" : ",").append("{\"path\":\"").append(p).append("\"}");
    }
    Files.writeString(
        home.resolve("catalog.json"),
        "{\"schema\":1,\"default\":\"tiny-sd\",\"models\":[{\"id\":\"tiny-sd\",\"name\":\"Tiny"
            + " SD\",\"kind\":\"pipeline\",\"family\":\"sd1\",\"device\":\"cpu\",\"precision\":"
            + "\"fp32\",\"license\":\"MIT\",\"source\":{\"repo\":\""
            + StoreFixtures.REPO
            + "\",\"revision\":\""
            + StoreFixtures.REVISION
            + "\"},\"files\":["
            + files
            + "],\"verified\":false}]}");
    Files.writeString(home.resolve("config.json"), "{\"endpoint\":\"" + hub.endpoint() + "\"}");
    f = new StudioFixture(dir, 8L << 20);
  }

  @AfterEach
  void stop() {
    f.close();
    hub.close();
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  JsonNode model(String id) throws Exception {
    for (JsonNode m : json(f.get("/api/models")).path("models")) {
      if (m.path("id").asText().equals(id)) {
        return m;
      }
    }
    return null;
  }

  @Test
  void aCatalogModelIsPulledWithProgressThenListedWithItsDetails() throws Exception {
    JsonNode before = json(f.get("/api/models"));
    assertThat(before.path("models").get(0).path("id").asText()).isEqualTo(StudioFixture.MODEL);
    assertThat(before.path("models").get(0).path("offered").asBoolean()).isTrue();
    assertThat(before.path("models").toString()).doesNotContain(dir.toString());
    assertThat(before.path("catalog").findValuesAsText("id")).contains("tiny-sd");
    assertThat(model("tiny-sd")).isNull();

    HttpResponse<String> r = f.post("/api/models/pull", "{\"id\":\"tiny-sd\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    HttpResponse<String> events =
        f.http.send(
            f.request("/api/models/pull/tiny-sd/events").build(),
            HttpResponse.BodyHandlers.ofString());
    List<JsonNode> progress = new ArrayList<>();
    JsonNode end = null;
    String[] lines = events.body().split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].equals("event: progress")) {
        progress.add(JSON.readTree(lines[i + 1].substring(6)));
      } else if (lines[i].equals("event: end")) {
        end = JSON.readTree(lines[i + 1].substring(6));
      }
    }
    assertThat(end).as(events.body()).isNotNull();
    assertThat(end.path("state").asText()).as(end.toString()).isEqualTo("done");
    assertThat(end.path("files").asInt()).isEqualTo(StoreFixtures.paths().size());
    assertThat(end.path("bytes").asLong()).isEqualTo(end.path("total").asLong()).isPositive();

    JsonNode pulled = model("tiny-sd");
    assertThat(pulled).isNotNull();
    assertThat(pulled.path("state").asText()).isEqualTo("ready");
    assertThat(pulled.path("kind").asText()).isEqualTo("pipeline");
    assertThat(pulled.path("files").asInt()).isEqualTo(StoreFixtures.paths().size());
    assertThat(pulled.path("origin").path("repo").asText()).isEqualTo(StoreFixtures.REPO);
    assertThat(pulled.path("offered").asBoolean()).isFalse();
  }

  @Test
  void anUnknownCatalogIdIsABadRequestAndAnUnknownPullIs404() throws Exception {
    HttpResponse<String> r = f.post("/api/models/pull", "{\"id\":\"../../etc\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("error").path("message").asText())
        .startsWith("id: expected a catalog model id, one of [")
        .contains("tiny-sd")
        .endsWith("found '../../etc'");
    assertThat(f.get("/api/models/pull/nothing/events").statusCode()).isEqualTo(404);
  }

  @Test
  void importsComeOnlyFromTheImportRootByFolderName() throws Exception {
    HttpResponse<String> off = f.post("/api/models/import", "{\"folder\":\"mine\"}");
    assertThat(off.statusCode()).isEqualTo(403);
    assertThat(json(off).path("error").path("kind").asText()).isEqualTo("forbidden");

    Path root = Files.createDirectories(dir.resolve("drop"));
    StoreFixtures.copyTo(Files.createDirectories(root.resolve("mine")));
    Files.createDirectories(dir.resolve("outside"));
    Files.createSymbolicLink(root.resolve("escape"), dir.resolve("outside"));
    f.studio.allowImportsFrom(root);
    for (String bad : List.of("/etc", "../outside", "escape", "nothing", ".hidden")) {
      HttpResponse<String> r = f.post("/api/models/import", "{\"folder\":\"" + bad + "\"}");
      assertThat(r.statusCode()).as(bad + ": " + r.body()).isEqualTo(400);
      assertThat(json(r).path("error").path("message").asText()).startsWith("folder: expected");
    }
    assertThat(model("escape")).isNull();
    HttpResponse<String> ok = f.post("/api/models/import", "{\"folder\":\"mine\"}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
    assertThat(json(ok).path("id").asText()).isEqualTo("mine");
    assertThat(model("mine").path("state").asText()).isEqualTo("ready");
  }
}

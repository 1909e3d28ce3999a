package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.ModelLoadException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in catalog's consistency, the schema's checks, and the user catalog overlay. */
class ModelCatalogTest {
  private static final String ENTRY =
      "{\"id\":\"%s\",\"name\":\"N\",\"kind\":\"%s\",\"family\":\"sd1\",\"device\":\"cpu\","
          + "\"precision\":\"fp32\",\"license\":\"MIT\","
          + "\"source\":{\"repo\":\"o/r\",\"revision\":\"main\"},"
          + "\"files\":[{\"path\":\"%s\",\"sha256\":%s}],\"verified\":false%s}";

  private static ModelCatalog parse(String json) {
    return ModelCatalog.parse(
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test");
  }

  private static String doc(String defaultId, String... entries) {
    return "{\"schema\":1,"
        + (defaultId == null ? "" : "\"default\":\"" + defaultId + "\",")
        + "\"models\":["
        + String.join(",", entries)
        + "]}";
  }

  private static String entry(String id, String kind, String path, String sha, String extra) {
    return String.format(ENTRY, id, kind, path, sha == null ? "null" : "\"" + sha + "\"", extra);
  }

  @Test
  void theDefaultIsAFewStepFp32PipelineForTheCpu() {
    ModelCatalog c = ModelCatalog.builtin();
    CatalogEntry d = c.require(c.defaultId());
    assertThat(d.id()).isEqualTo("lcm-dreamshaper-v7");
    assertThat(d.kind()).isEqualTo(ModelKind.PIPELINE);
    assertThat(d.device()).isEqualTo("cpu");
    assertThat(d.precision()).isEqualTo("fp32");
    assertThat(d.recommended().steps()).isLessThanOrEqualTo(8);
    assertThat(d.source().revision()).matches("[0-9a-f]{40}");
  }

  @Test
  void everyBuiltInPipelineListsTheFilesAModelFolderNeeds() {
    for (CatalogEntry e : ModelCatalog.builtin().entries(ModelKind.PIPELINE)) {
      if (e.isCheckpoint()) { // one file converted on pull, pinned to a commit
        assertThat(e.source().revision()).as(e.id()).matches("[0-9a-f]{40}");
        assertThat(e.totalSize()).as(e.id()).isGreaterThan(1_000_000_000L);
        continue;
      }
      List<String> paths = e.files().stream().map(CatalogFile::path).toList();
      List<String> needed = new ArrayList<>();
      for (String stage : ModelFolder.REQUIRED_GRAPHS) {
        needed.add(stage + "/model.onnx");
      }
      needed.addAll(
          List.of(
              "tokenizer/vocab.json", "tokenizer/merges.txt", "scheduler/scheduler_config.json"));
      assertThat(paths).as(e.id()).containsAll(needed);
      ModelFamily.lookup(e.family());
      assertThat(e.totalSize()).as(e.id()).isGreaterThan(1_000_000_000L);
    }
  }

  @Test
  void onlyFullyKnownEntriesMayClaimToBeVerified() {
    for (CatalogEntry e : ModelCatalog.builtin().entries()) {
      // Pinned: a Hugging Face commit, or files with their own URLs (npm tarballs of an immutable
      // version); and every file's size and SHA-256 known.
      boolean pinned =
          e.source().revision().matches("[0-9a-f]{40}")
              || e.files().stream().allMatch(f -> f.url() != null);
      boolean allKnown =
          pinned && e.files().stream().allMatch(f -> f.size() != null && f.sha256() != null);
      if (e.verified()) {
        assertThat(allKnown).as(e.id() + " is marked verified").isTrue();
      }
      assertThat(e.notes()).as(e.id() + " says where its facts came from").isNotBlank();
    }
  }

  @Test
  void requireListsTheKnownIds() {
    assertThatThrownBy(() -> ModelCatalog.builtin().require("sd9"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("lcm-dreamshaper-v7")
        .hasMessageContaining("found 'sd9'");
  }

  @Test
  void otherKindsParseWithFreeFamilies() {
    ModelCatalog c =
        parse(
            doc(
                null,
                entry("x4", "upscaler", "model.onnx", null, ""),
                entry("clip-b32", "clip", "model.onnx", "a".repeat(64), "")));
    assertThat(c.entries(ModelKind.UPSCALER)).extracting(CatalogEntry::id).containsExactly("x4");
    assertThat(c.find("clip-b32").orElseThrow().files().get(0).sha256()).isEqualTo("a".repeat(64));
    assertThatThrownBy(c::defaultId).hasMessageContaining("no default model");
  }

  @Test
  void schemaErrorsNameWhatWasExpectedAndWhere() {
    assertThatThrownBy(() -> parse(doc(null, entry("a", "painter", "m.onnx", null, ""))))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected one of pipeline, upscaler, clip, aesthetic")
        .hasMessageContaining("found 'painter'");
    assertThatThrownBy(() -> parse(doc(null, entry("a", "clip", "m.onnx", "ABC", ""))))
        .hasMessageContaining("sha256 expected 64 lower-case hex digits, found 'ABC'");
    assertThatThrownBy(() -> parse(doc(null, entry("a", "clip", "../m.onnx", null, ""))))
        .hasMessageContaining("found '../m.onnx'");
    assertThatThrownBy(() -> parse(doc(null, entry("a", "clip", "m.onnx", null, ",\"colour\":1"))))
        .hasMessageContaining("colour")
        .hasMessageContaining("models");
    assertThatThrownBy(() -> parse(doc("b", entry("a", "clip", "m.onnx", null, ""))))
        .hasMessageContaining("default expected one of the catalog's ids [a], found 'b'");
    assertThatThrownBy(
            () ->
                parse(
                    doc(
                        null,
                        entry("a", "clip", "m", null, ""),
                        entry("a", "clip", "m", null, ""))))
        .hasMessageContaining("model id a twice");
    assertThatThrownBy(
            () ->
                parse(
                    doc(
                        null,
                        entry("a", "clip", "m", null, "").replace(",\"verified\":false", ""))))
        .hasMessageContaining("verified expected true or false");
    assertThatThrownBy(() -> parse("{\"schema\":2,\"models\":[]}"))
        .hasMessageContaining("schema expected 1, found 2");
    assertThatThrownBy(() -> parse(doc(null, entry("Bad Id", "clip", "m", null, ""))))
        .hasMessageContaining("model id: expected lower-case letters");
  }

  @Test
  void aUserCatalogAddsEntriesAndMayChangeTheDefault(@TempDir Path home) throws IOException {
    Files.writeString(
        home.resolve("catalog.json"),
        doc("mine", entry("mine", "pipeline", "unet/model.onnx", null, "")));
    ModelCatalog c = ModelCatalog.load(AtelierHome.at(home));
    assertThat(c.defaultId()).isEqualTo("mine");
    assertThat(c.find("lcm-dreamshaper-v7")).isPresent();
    assertThat(c.entries().get(c.entries().size() - 1).id()).isEqualTo("mine");

    Files.writeString(home.resolve("catalog.json"), "{not json");
    assertThatThrownBy(() -> ModelCatalog.load(AtelierHome.at(home)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(home.resolve("catalog.json").toString());
  }
}

package atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import atelier.CancelToken;
import atelier.model.DownloadListener;
import atelier.model.ModelKind;
import atelier.model.ModelStore;
import atelier.model.SessionSettings;
import atelier.pipeline.ControlNet;
import atelier.testing.TestPaths;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The landmark and art-name recipes use an installed ControlNet (the basemap steers a text-to-image
 * run) and fall back to image-to-image without one; the record says which path was taken.
 */
class RecipeControlTest {
  static final Path MODEL = TestPaths.tinyModel("sd15-controlnet-onnxstack");
  static final Path PHOTO =
      TestPaths.repoRoot().resolve("core/src/test/resources/golden/basemap-64.png");

  static JobResult run(Path home, RecipeSpec spec) {
    AtelierHome h = AtelierHome.at(home);
    try (ModelCache cache = new ModelCache(0)) {
      return new JobRunner(
              h,
              SessionSettings.CPU,
              cache,
              new ModelResolver(h, Map.of(), ModelResolver.Downloads.of(false)))
          .run(spec, JobContext.of(OutputSink.folder(home.resolve("out"))));
    }
  }

  static void install(Path home, String id) {
    ModelStore.of(AtelierHome.at(home))
        .importFolder(
            TestPaths.tinyModel("controlnet-tiny-a"),
            id,
            ModelKind.CONTROLNET,
            d -> ControlNet.open(d, SessionSettings.CPU).close(),
            false,
            DownloadListener.NONE,
            CancelToken.NONE);
  }

  static RecipeSpec landmark() {
    return new RecipeSpec(
        "landmark",
        Map.of("generate.base", "64", "generate.steps", "2", "generate.batch", "1"),
        PHOTO.toString(),
        null,
        5L,
        MODEL.toString());
  }

  @Test
  void landmarkUsesTheInstalledCannyControlNet(@TempDir Path home) {
    install(home, "canny-tiny");
    JobResult r = run(home, landmark());
    var record = r.images().get(0).record();
    assertThat(record.warnings())
        .contains(
            "recipe: the basemap steers the canny ControlNet canny-tiny (text-to-image under it,"
                + " no image-to-image)")
        .anyMatch(
            n -> n.startsWith("controlnet canny-tiny: image ") && n.contains("[canny 100:200]"));
    assertThat(record.settings().strength()).isNull();
  }

  @Test
  void landmarkFallsBackToImageToImageWithANote(@TempDir Path home) {
    install(home, "qr-tiny"); // a ControlNet of another kind is not taken
    JobResult r = run(home, landmark());
    var record = r.images().get(0).record();
    assertThat(record.warnings())
        .contains(
            "recipe: no installed ControlNet's id contains 'canny'; image-to-image from the basemap"
                + " instead (install one: atelier models import DIR --kind controlnet)")
        .noneMatch(n -> n.startsWith("controlnet "));
    assertThat(record.settings().strength()).isEqualTo(0.55);
  }

  @Test
  void artNameUsesAQrControlNetOnItsLetters(@TempDir Path home) {
    install(home, "qr-tiny");
    JobResult r =
        run(
            home,
            new RecipeSpec(
                "art-name",
                Map.of(
                    "generate.base",
                    "64",
                    "generate.steps",
                    "1",
                    "generate.batch",
                    "1",
                    "select.keep",
                    "all"),
                null,
                "Ab",
                3L,
                MODEL.toString()));
    assertThat(r.images().get(0).record().warnings())
        .contains(
            "recipe: the basemap steers the qr ControlNet qr-tiny (text-to-image under it, no"
                + " image-to-image)")
        .anyMatch(n -> n.startsWith("controlnet qr-tiny: image ") && n.contains("[mono 128]"));
  }
}

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
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The landmark, art-name and collectible-series recipes use an installed ControlNet (the basemap
 * steers a text-to-image run: the picture changes with the ControlNet's scale) and fall back to
 * image-to-image without one; the record says which path was taken. The wallpapers use none.
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

  /** A run whose outputs go to {@code out}, with the installation in {@code home}. */
  static JobResult run(Path out, Path home, RecipeSpec spec) {
    AtelierHome h = AtelierHome.at(home);
    try (ModelCache cache = new ModelCache(0)) {
      return new JobRunner(
              h,
              SessionSettings.CPU,
              cache,
              new ModelResolver(h, Map.of(), ModelResolver.Downloads.of(false)))
          .run(spec, JobContext.of(OutputSink.folder(out)));
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

  static final Map<String, String> SMALL =
      Map.of(
          "generate.base", "64",
          "generate.steps", "2",
          "generate.batch", "1",
          "select.keep", "all");

  /** A recipe spec on the tiny ControlNet-ready model at 64 px, with more sets (null: unset). */
  static RecipeSpec spec(String recipe, String input, String text, String... sets) {
    Map<String, String> all = new java.util.LinkedHashMap<>(SMALL);
    for (int i = 0; i < sets.length; i += 2) {
      if (sets[i + 1] != null) {
        all.put(sets[i], sets[i + 1]);
      }
    }
    return new RecipeSpec(recipe, all, input, text, 5L, MODEL.toString());
  }

  static Path logo(Path home) throws Exception {
    java.awt.image.BufferedImage img =
        new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_INT_ARGB);
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(java.awt.Color.BLACK);
    g.fillOval(4, 4, 24, 24);
    g.dispose();
    Path f = home.resolve("logo.png");
    javax.imageio.ImageIO.write(img, "png", f.toFile());
    return f;
  }

  /**
   * Each control recipe with what it needs: name, input file or null, text or null, the net word,
   * and the preprocessor's label in the control note.
   */
  static java.util.List<String[]> controlRecipes(Path home) throws Exception {
    return java.util.List.of(
        new String[] {"landmark", PHOTO.toString(), null, "canny", "[canny 100:200]"},
        new String[] {"art-name", null, "Ab", "qr", "[mono 128]"},
        new String[] {"collectible-series", logo(home).toString(), null, "qr", "[mono 128]"});
  }

  static int[] pixels(JobResult r) throws Exception {
    java.awt.image.BufferedImage img =
        javax.imageio.ImageIO.read(r.images().get(0).file().toFile());
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  @Test
  void everyControlRecipeIsSteeredByItsInstalledControlNet(@TempDir Path home) throws Exception {
    install(home, "canny-tiny");
    install(home, "qr-tiny");
    AtelierHome h = AtelierHome.at(home);
    try (ModelCache cache = new ModelCache(1L << 30)) {
      JobRunner runner =
          new JobRunner(
              h,
              SessionSettings.CPU,
              cache,
              new ModelResolver(h, Map.of(), ModelResolver.Downloads.of(false)));
      for (String[] c : controlRecipes(home)) {
        String series = c[0].equals("collectible-series") ? "[a fox]" : null;
        RecipeSpec asked = spec(c[0], c[1], c[2], "series.items", series);
        assertThat(runner.previewRecipe(asked, home.resolve("plan")).notes())
            .as(c[0])
            .contains(
                "control: each basemap steers the "
                    + c[3]
                    + " ControlNet "
                    + c[3]
                    + "-tiny (text-to-image under it; the strength is not used)");
        JobResult on =
            runner.run(asked, JobContext.of(OutputSink.folder(home.resolve(c[0] + "-on"))));
        JobResult off =
            runner.run(
                spec(c[0], c[1], c[2], "series.items", series, "control.scale", "0"),
                JobContext.of(OutputSink.folder(home.resolve(c[0] + "-off"))));
        var record = on.images().get(0).record();
        assertThat(record.warnings())
            .as(c[0])
            .contains(
                "recipe: the basemap steers the "
                    + c[3]
                    + " ControlNet "
                    + c[3]
                    + "-tiny (text-to-image under it, no image-to-image)")
            .anyMatch(
                n -> n.startsWith("controlnet " + c[3] + "-tiny: image ") && n.contains(c[4]));
        assertThat(record.settings().strength()).as(c[0]).isNull();
        // the ControlNet's residuals shape the picture: the same run at scale 0 differs
        assertThat(Arrays.equals(pixels(on), pixels(off))).as(c[0]).isFalse();
      }
    }
  }

  @Test
  void everyControlRecipeFallsBackToImageToImageWithANote(@TempDir Path home) throws Exception {
    AtelierHome h = AtelierHome.at(home);
    try (ModelCache cache = new ModelCache(1L << 30)) {
      JobRunner runner =
          new JobRunner(
              h,
              SessionSettings.CPU,
              cache,
              new ModelResolver(h, Map.of(), ModelResolver.Downloads.of(false)));
      for (String[] c : controlRecipes(home)) {
        String series = c[0].equals("collectible-series") ? "[a fox]" : null;
        RecipeSpec asked = spec(c[0], c[1], c[2], "series.items", series);
        assertThat(runner.previewRecipe(asked, home.resolve("plan")).notes())
            .as(c[0])
            .contains(
                "control: no installed ControlNet's id contains '"
                    + c[3]
                    + "'; image-to-image from the basemap instead (install one: atelier models"
                    + " import DIR --kind controlnet)");
        JobResult r = runner.run(asked, JobContext.of(OutputSink.folder(home.resolve(c[0]))));
        fellBack(c, r.images().get(0).record());
      }
    }
  }

  private static void fellBack(String[] c, atelier.pipeline.ImageRecord record) {
    assertThat(record.warnings())
        .as(c[0])
        .contains(
            "recipe: no installed ControlNet's id contains '"
                + c[3]
                + "'; image-to-image from the basemap instead (install one: atelier models"
                + " import DIR --kind controlnet)")
        .noneMatch(n -> n.startsWith("controlnet "));
    assertThat(record.settings().strength()).as(c[0]).isNotNull();
  }

  @Test
  void theWallpapersUseNoControlNetEvenWhenOneIsInstalled(@TempDir Path home) {
    install(home, "canny-tiny");
    install(home, "qr-tiny");
    JobResult r =
        run(
            home,
            spec(
                "phone-wallpaper",
                PHOTO.toString(),
                null,
                "upscale.width",
                "64",
                "upscale.height",
                "128",
                "upscale.method",
                "lanczos"));
    var record = r.images().get(0).record();
    assertThat(record.warnings())
        .noneMatch(n -> n.startsWith("controlnet ") || n.contains("ControlNet"));
    assertThat(record.settings().inpaint().outpaint()).isEqualTo("left=0,top=32,right=0,bottom=32");
  }
}

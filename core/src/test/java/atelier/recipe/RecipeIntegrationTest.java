package atelier.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import atelier.CancelToken;
import atelier.Progress;
import atelier.ProgressListener;
import atelier.model.SessionSettings;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.StableDiffusion;
import atelier.testing.TestPaths;
import atelier.testing.TinyUpscaler;
import atelier.text.library.PromptLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipes and sweeps end to end on the tiny test model (made by another branch's tools; skipped
 * until it is committed under core/src/test/resources/models).
 */
class RecipeIntegrationTest {
  private static final String MODEL = "sd15-optimum-1.22";
  private static Path model;

  @BeforeAll
  static void findModel() {
    Path p = TestPaths.tinyModels().resolve(MODEL);
    Assumptions.assumeTrue(Files.isDirectory(p), "tiny model " + MODEL + " is absent");
    model = p;
  }

  private static SessionSettings cpu() {
    return new SessionSettings(atelier.model.Device.CPU, 1, 0);
  }

  @Test
  void phoneWallpaperIsUpscaledToTheExactScreenSize(@TempDir Path out) throws Exception {
    Recipe r =
        new Recipes(null)
            .find(
                "phone-wallpaper",
                Map.of(
                    "generate.base",
                    "64",
                    "generate.steps",
                    "2",
                    "generate.batch",
                    "2",
                    "upscale.width",
                    "90",
                    "upscale.height",
                    "200"));
    List<Job> jobs =
        new RecipePlanner(PromptLibrary.builtIn())
            .plan(r, new RecipeInputs(Map.of(), null, null, 5L), out);
    assertThat(jobs.get(0).request().width()).isEqualTo(64);
    assertThat(jobs.get(0).request().height()).isEqualTo(128);
    try (StableDiffusion sd = StableDiffusion.load(model, cpu())) {
      List<RecipeRunner.Output> outs =
          new RecipeRunner(sd, Upscaler.LANCZOS, Selector.KEEP_ALL)
              .run(jobs, out, ProgressListener.NONE, new CancelToken());
      assertThat(outs).hasSize(2);
      for (RecipeRunner.Output o : outs) {
        var img = ImageIO.read(o.file().toFile());
        assertThat(img.getWidth()).isEqualTo(90);
        assertThat(img.getHeight()).isEqualTo(200);
        Provenance p = ProvenancePng.read(o.file()).orElseThrow();
        assertThat(p.recipe().name()).isEqualTo("phone-wallpaper");
        assertThat(p.recipe().version()).isEqualTo("1.0.0");
        assertThat(p.upscaler()).isEqualTo("lanczos");
        assertThat(ArtworkPng.read(o.file()).settings().width()).isEqualTo(64);
      }
      assertThat(outs)
          .extracting(o -> o.file().getFileName().toString())
          .containsExactly("phone-wallpaper-5.png", "phone-wallpaper-6.png");
    }
  }

  @Test
  void recipesUpscaleWithTheInstalledNetworkAndRecordIt(@TempDir Path out) throws Exception {
    AtelierHome home = AtelierHome.at(out.resolve("home"));
    TinyUpscaler.install(home);
    Recipe r =
        new Recipes(null)
            .find(
                "phone-wallpaper",
                Map.of(
                    "generate.base", "64",
                    "generate.steps", "1",
                    "generate.batch", "1",
                    "upscale.width", "128",
                    "upscale.height", "288"));
    List<Job> jobs =
        new RecipePlanner(PromptLibrary.builtIn())
            .plan(r, new RecipeInputs(Map.of(), null, null, 5L), out);
    try (StableDiffusion sd = StableDiffusion.load(model, cpu())) {
      Upscaler up = NeuralUpscaler.forMethod(r.upscale().method(), home, cpu());
      List<Progress> tiles = new ArrayList<>();
      RecipeRunner.Output o =
          new RecipeRunner(sd, up, Selector.KEEP_ALL)
              .run(
                  jobs,
                  out,
                  p -> {
                    if (p.stage() == Progress.Stage.UPSCALE) {
                      tiles.add(p);
                    }
                  },
                  new CancelToken())
              .get(0);
      assertThat(ProvenancePng.read(o.file()).orElseThrow().upscaler()).isEqualTo(TinyUpscaler.ID);
      assertThat(tiles).isNotEmpty();
      var written = ImageIO.read(o.file().toFile());
      assertThat(written.getWidth()).isEqualTo(128);
      // The same generated image through Lanczos gives other pixels.
      var generated =
          sd.generate(jobs.get(0).request(), ProgressListener.NONE, new CancelToken())
              .images()
              .get(0);
      var lanczos =
          Upscaler.LANCZOS
              .upscale(
                  generated.image(),
                  128,
                  288,
                  r.upscale().fit(),
                  ProgressListener.NONE,
                  CancelToken.NONE)
              .image();
      assertThat(written.getRGB(0, 0, 128, 288, null, 0, 128))
          .isNotEqualTo(lanczos.getRGB(0, 0, 128, 288, null, 0, 128));
    }
  }

  @Test
  void aScoredBatchReportsEveryCandidateAndWritesTheSelection(@TempDir Path out) throws Exception {
    Recipe r =
        new Recipes(null)
            .find(
                "phone-wallpaper",
                Map.of(
                    "generate.base", "64",
                    "generate.steps", "1",
                    "generate.batch", "3",
                    "upscale", "null",
                    "select.by", "technical"));
    List<Job> jobs =
        new RecipePlanner(PromptLibrary.builtIn())
            .plan(r, new RecipeInputs(Map.of(), null, null, 5L), out);
    List<String> events = new ArrayList<>();
    List<RecipeRunner.Selected> selections = new ArrayList<>();
    RecipeRunner.Listener listener =
        new RecipeRunner.Listener() {
          @Override
          public void stage(Job job, int index, int count, RecipeRunner.Stage stage, String d) {
            events.add(stage.name());
          }

          @Override
          public void wrote(RecipeRunner.Output output) {
            events.add("wrote " + output.file().getFileName());
          }

          @Override
          public void ranked(Job job, Selector.Choice choice) {
            events.add("ranked");
          }

          @Override
          public void selected(RecipeRunner.Selected s) {
            events.add("selected");
            selections.add(s);
          }
        };
    try (StableDiffusion sd = StableDiffusion.load(model, cpu())) {
      ScoringSelector selector =
          new ScoringSelector(
              new atelier.quality.Scorers.Sources(
                  AtelierHome.at(out.resolve("home")), null, null, SessionSettings.CPU));
      List<RecipeRunner.Output> outs =
          new RecipeRunner(sd, Upscaler.LANCZOS, selector)
              .run(jobs, out, listener, ProgressListener.NONE, new CancelToken());
      assertThat(outs).hasSize(1);
      RecipeRunner.Selected s = selections.get(0);
      assertThat(s.choice().report().candidates()).hasSize(3);
      assertThat(s.choice().report().candidates())
          .filteredOn(c -> !c.kept())
          .allMatch(c -> c.rejection() != null && !c.rejection().isBlank());
      assertThat(events)
          .containsExactly(
              "GENERATE",
              "SELECT",
              "ranked",
              "wrote " + outs.get(0).file().getFileName(),
              "selected");
      assertThat(s.reportFile()).hasFileName("selection-phone-wallpaper-5.json");
      var json =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(s.reportFile().toFile());
      assertThat(json.get("candidates").asInt()).isEqualTo(3);
      assertThat(json.get("images")).hasSize(3);
      assertThat(json.get("images").get(0).get("file").asText())
          .isEqualTo(outs.get(0).file().toString());
      assertThat(ImageIO.read(s.sheetFile().toFile())).isNotNull();
    }
  }

  @Test
  void collectibleSeriesAndASweepRecordTheirChains(@TempDir Path out) throws Exception {
    Path logo = out.resolve("logo.png");
    var l = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_ARGB);
    l.setRGB(3, 3, 0xffff0000);
    ImageIO.write(l, "png", logo.toFile());
    Recipe r =
        new Recipes(null)
            .find(
                "collectible-series",
                Map.of(
                    "generate.base",
                    "64",
                    "generate.steps",
                    "2",
                    "series.items",
                    "[a fox, an owl]",
                    "basemap",
                    "[\"canvas:64,64,#e9dcc0\", \"logo:file={input},padding=0.2\"]"));
    List<Job> jobs =
        new RecipePlanner(PromptLibrary.builtIn())
            .plan(r, new RecipeInputs(Map.of(), logo, null, null), out);
    try (StableDiffusion sd = StableDiffusion.load(model, cpu())) {
      List<RecipeRunner.Output> outs =
          new RecipeRunner(sd, Upscaler.LANCZOS, Selector.KEEP_ALL)
              .run(jobs, out, ProgressListener.NONE, new CancelToken());
      assertThat(outs)
          .extracting(o -> o.file().getFileName().toString())
          .containsExactly("collectible-series-001-1234.png", "collectible-series-002-1234.png");
      Provenance p = ProvenancePng.read(outs.get(1).file()).orElseThrow();
      assertThat(p.series()).isEqualTo(new Provenance.SeriesRef(2, 2, "an owl"));
      assertThat(p.basemap().steps().get(1)).startsWith("logo:file=" + logo);
      assertThat(ArtworkPng.read(outs.get(1).file()).settings().init())
          .isEqualTo(out.resolve("collectible-series-001-basemap.png").toString());
      assertThat(out.resolve("collectible-series-001-basemap.png")).exists();

      Sweep sweep = new Sweep(SweepAxis.parse("guidance=1,5"), SweepAxis.parse("seed=1..2"), null);
      SweepRunner.Result res =
          new SweepRunner(sd, PromptLibrary.builtIn())
              .run(sweep, jobs.get(0), out, ProgressListener.NONE, new CancelToken());
      assertThat(res.images()).hasSize(4);
      assertThat(res.sheets()).hasSize(1);
      assertThat(ProvenancePng.read(res.images().get(3)).orElseThrow().sweep())
          .containsEntry("guidance", "5")
          .containsEntry("seed", "2");
      assertThat(ArtworkPng.texts(res.sheets().get(0))).containsKey(SweepRunner.SWEEP);
    }
  }
}

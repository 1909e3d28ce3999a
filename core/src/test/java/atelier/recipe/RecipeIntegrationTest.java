package atelier.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.model.SessionSettings;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.StableDiffusion;
import atelier.testing.TestPaths;
import atelier.text.library.PromptLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
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

package atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import atelier.model.SessionSettings;
import atelier.testing.TestPaths;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wallpaper recipe given a photo of another aspect keeps the photo whole and outpaints the canvas
 * around it, on a regular model (legacy blend) and on a 9-channel inpainting model: the output has
 * the target size, the photo's pixels are kept outside the blurred mask (A1111's paste-back), the
 * new area is painted, and the record says which area was outpainted.
 */
class RecipeOutpaintTest {
  static final Path PHOTO =
      TestPaths.repoRoot().resolve("core/src/test/resources/golden/basemap-64.png");

  /** The phone wallpaper at 64×128 (no upscaling: the generated size is the target). */
  static RecipeSpec phone(String model, String... sets) {
    Map<String, String> all = new LinkedHashMap<>();
    all.putAll(
        Map.of(
            "generate.base", "64",
            "generate.steps", "3",
            "generate.batch", "1",
            "select.keep", "all",
            "upscale.width", "64",
            "upscale.height", "128",
            "upscale.method", "lanczos"));
    for (int i = 0; i < sets.length; i += 2) {
      all.put(sets[i], sets[i + 1]);
    }
    return new RecipeSpec(
        "phone-wallpaper", all, PHOTO.toString(), null, 9L, TestPaths.tinyModel(model).toString());
  }

  static JobRunner runner(Path home, ModelCache cache) {
    AtelierHome h = AtelierHome.at(home);
    return new JobRunner(
        h,
        SessionSettings.CPU,
        cache,
        new ModelResolver(h, Map.of(), ModelResolver.Downloads.of(false)));
  }

  /** Mean absolute difference per channel over rows [y0, y1). */
  static double meanDiff(BufferedImage a, BufferedImage b, int y0, int y1) {
    long sum = 0;
    for (int y = y0; y < y1; y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        for (int s = 0; s <= 16; s += 8) {
          sum += Math.abs(((p >> s) & 0xff) - ((q >> s) & 0xff));
        }
      }
    }
    return sum / (3.0 * (y1 - y0) * a.getWidth());
  }

  void outpaints(Path home, String model) throws Exception {
    RecipeSpec spec = phone(model);
    try (ModelCache cache = new ModelCache(0)) {
      JobRunner runner = runner(home, cache);
      // the canvas the generation starts from: the 64×64 photo at rows 32–95 of 64×128
      List<atelier.recipe.Job> plan = runner.planRecipe(spec, home.resolve("plan"));
      BufferedImage canvas = plan.get(0).request().init().image();
      JobResult r = runner.run(spec, JobContext.of(OutputSink.folder(home.resolve("out"))));
      assertThat(r.images()).hasSize(1);
      JobResult.Image img = r.images().get(0);
      BufferedImage out = ImageIO.read(img.file().toFile());
      assertThat(new int[] {out.getWidth(), out.getHeight()}).containsExactly(64, 128);
      // mask: rows 0–39 and 88–127 (the new strips plus 2·blur = 8 rows of overlap); its blur
      // (sigma 4, 21 taps) reaches 10 rows further, so rows 50–77 keep the photo exactly
      assertThat(meanDiff(out, canvas, 50, 78)).isZero();
      // the new strips were painted (the canvas there is A1111's fill of the photo's colours)
      assertThat(meanDiff(out, canvas, 0, 30)).isGreaterThan(2);
      assertThat(meanDiff(out, canvas, 98, 128)).isGreaterThan(2);
      assertThat(img.record().settings().inpaint().outpaint())
          .isEqualTo("left=0,top=32,right=0,bottom=32");
      assertThat(img.record().warnings())
          .anyMatch(
              n ->
                  n.startsWith(
                      "recipe: the input picture (64×64) was kept whole, scaled to 64×64, and the"
                          + " canvas extended to 64×128 by outpainting"
                          + " left=0,top=32,right=0,bottom=32"));
    }
  }

  @Test
  void aRegularModelOutpaintsThePhotoWithTheLegacyBlend(@TempDir Path home) throws Exception {
    outpaints(home, "sd15-optimum-1.22");
  }

  @Test
  void anInpaintingModelOutpaintsThePhotoWithItsNineChannels(@TempDir Path home) throws Exception {
    outpaints(home, "sd15-inpainting-optimum");
  }

  @Test
  void cropRepaintsTheWholePhotoInstead(@TempDir Path home) throws Exception {
    try (ModelCache cache = new ModelCache(0)) {
      JobResult r =
          runner(home, cache)
              .run(
                  phone("sd15-optimum-1.22", "extend.method", "crop"),
                  JobContext.of(OutputSink.folder(home.resolve("out"))));
      var record = r.images().get(0).record();
      assertThat(record.settings().inpaint()).isNull();
      assertThat(record.settings().strength()).isEqualTo(0.8);
      assertThat(record.warnings()).anyMatch(n -> n.contains("cropped to the aspect of 64×128"));
    }
  }
}

package atelier.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.model.ModelHasher;
import atelier.text.library.PromptLibrary;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planning the built-in recipes: no model is needed up to the generation requests. */
class RecipePlannerTest {
  private final Recipes recipes = new Recipes(null);
  private final RecipePlanner planner = new RecipePlanner(PromptLibrary.builtIn());
  @TempDir Path out;

  private List<Job> plan(String name, RecipeInputs in) {
    return planner.plan(recipes.find(name, Map.of()), in, out);
  }

  private static RecipeInputs seed(long s) {
    return new RecipeInputs(Map.of(), null, null, s);
  }

  private Path image(String name, int w, int h, int argb) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (x + y) % 2 == 0 ? argb : 0xff204060);
      }
    }
    Path f = out.resolve(name);
    ImageIO.write(img, "png", f.toFile());
    return f;
  }

  @Test
  void wallpapersGenerateAtAModelFriendlySizeOfTheScreensAspect() {
    Job phone = plan("phone-wallpaper", seed(42)).get(0);
    assertThat(phone.request().width()).isEqualTo(512);
    assertThat(phone.request().height()).isEqualTo(1152); // 512·2400/1080 = 1137.8 → 1152
    assertThat(phone.request().batch()).isEqualTo(4);
    assertThat(phone.request().seed()).isEqualTo(42L);
    assertThat(phone.request().init()).isNull();
    assertThat(phone.request().prompt())
        .contains("(matte painting:1.1)")
        .endsWith("highly detailed, 4k hd wallpaper, trending on artstation");
    assertThat(phone.request().negativePrompt()).startsWith("lowres, blurry, watermark");
    assertThat(phone.provenance().recipe())
        .isEqualTo(
            new Provenance.RecipeRef(
                "phone-wallpaper", "1.0.0", "atelier-recipe/1", "built-in:phone-wallpaper"));
    assertThat(phone.provenance().upscale().width()).isEqualTo(1080);
    Job desk = plan("desktop-wallpaper", seed(42)).get(0);
    assertThat(new int[] {desk.request().width(), desk.request().height()})
        .containsExactly(896, 512); // 512·16/9 = 910.2 → 896
    assertThat(desk.request().prompt()).contains("ultra wide shot");
  }

  @Test
  void theSameSeedGivesTheSamePlanAndChoicesAreRecorded() {
    Job a = plan("phone-wallpaper", seed(7)).get(0);
    Job b = plan("phone-wallpaper", seed(7)).get(0);
    Job c = plan("phone-wallpaper", seed(8)).get(0);
    assertThat(a.request().prompt())
        .isEqualTo(b.request().prompt())
        .isNotEqualTo(c.request().prompt());
    assertThat(a.provenance().prompt().seed()).isEqualTo(7);
    assertThat(a.provenance().prompt().choices())
        .extracting(ch -> ch.source())
        .contains("__subject__", "__lighting__", "__composition__", "__color__");
  }

  @Test
  void artNameDrawsTheTextBasemap() {
    Job j =
        plan("art-name", new RecipeInputs(Map.of("style", "cyberpunk"), null, "Atelier", 3L))
            .get(0);
    assertThat(j.basemap().getWidth()).isEqualTo(1024);
    assertThat(j.basemap().getHeight()).isEqualTo(512);
    assertThat(new int[] {j.request().width(), j.request().height()}).containsExactly(1024, 512);
    assertThat(j.request().strength()).isEqualTo(0.7);
    assertThat(j.request().prompt())
        .startsWith("the word \"Atelier\" made of ")
        .contains("(cyberpunk:1.2)");
    assertThat(j.provenance().basemap().steps().get(2)).startsWith("text:text=Atelier,font=");
    assertThat(j.basemapFile()).isEqualTo(out.resolve("art-name-basemap.png"));
    assertThat(j.request().init().source()).isEqualTo(j.basemapFile().toString());
    assertThat(j.request().init().sha256()).isEqualTo(ModelHasher.sha256Of(j.basemapPng()));
    assertThatThrownBy(() -> plan("art-name", seed(1)))
        .hasMessage("recipe art-name: expected --text TEXT (input: text), found none");
    assertThatThrownBy(() -> plan("phone-wallpaper", new RecipeInputs(Map.of(), null, "x", 1L)))
        .hasMessage("recipe phone-wallpaper: --text: expected no text (input: none), found 'x'");
  }

  @Test
  void landmarkRestylesTheInputPhoto() throws Exception {
    Path photo = image("photo.png", 300, 200, 0xff808080);
    Job j =
        plan(
                "landmark",
                new RecipeInputs(
                    Map.of("style", "pixel-art", "landmark", "the old bridge"), photo, null, 5L))
            .get(0);
    assertThat(j.request().prompt()).startsWith("the old bridge, (pixel art:1.2), ");
    // 3:2 photo at a 512 short side: 768 × 512.
    assertThat(new int[] {j.request().width(), j.request().height()}).containsExactly(768, 512);
    assertThat(j.basemap().getWidth()).isEqualTo(300);
    assertThat(j.provenance().basemap().input()).isEqualTo(photo.toString());
    assertThat(j.provenance().basemap().inputSha256()).isEqualTo(ModelHasher.sha256Of(photo));
    assertThat(j.provenance().basemap().steps())
        .containsExactly("contrast:amount=1.08", "temperature:kelvin=5800,tint=0");
    assertThatThrownBy(() -> plan("landmark", seed(1)))
        .hasMessage("recipe landmark: expected --input IMAGE (input: image), found none");
  }

  @Test
  void collectibleSeriesMakesNumberedJobsWithOneLookAndOneBasemap() throws Exception {
    Path logo = image("logo.png", 16, 16, 0x80ff0000);
    List<Job> jobs = plan("collectible-series", new RecipeInputs(Map.of(), logo, null, null));
    assertThat(jobs).hasSize(6);
    assertThat(jobs)
        .extracting(Job::name)
        .containsExactly(
            "collectible-series-001",
            "collectible-series-002",
            "collectible-series-003",
            "collectible-series-004",
            "collectible-series-005",
            "collectible-series-006");
    assertThat(jobs).allSatisfy(j -> assertThat(j.request().seed()).isEqualTo(1234L));
    assertThat(jobs.get(1).request().prompt()).startsWith("a dragon, collectible card art");
    assertThat(jobs.get(1).provenance().series())
        .isEqualTo(new Provenance.SeriesRef(2, 6, "a dragon"));
    assertThat(jobs)
        .extracting(Job::basemapFile)
        .containsOnly(out.resolve("collectible-series-001-basemap.png"));
    assertThat(jobs.get(0).provenance().basemap().steps().get(2))
        .isEqualTo("logo:file=" + logo + ",padding=0.22,sha256=" + ModelHasher.sha256Of(logo));
  }

  @Test
  void unknownParametersAreRejectedWithTheValidOnes() {
    assertThatThrownBy(
            () ->
                plan("phone-wallpaper", new RecipeInputs(Map.of("colour", "red"), null, null, 1L)))
        .hasMessage(
            "recipe phone-wallpaper: --set colour: expected a parameter (subject, style, tail) or a"
                + " recipe path such as generate.steps, found 'colour'");
  }

  @Test
  void friendlySizes() {
    assertThat(RecipePlanner.friendly(512, 1)).containsExactly(512, 512);
    assertThat(RecipePlanner.friendly(512, 9 / 16.0)).containsExactly(512, 896);
    assertThat(RecipePlanner.friendly(64, 2.2)).containsExactly(128, 64);
    assertThat(RecipePlanner.friendly(200, 1)).containsExactly(192, 192);
    assertThat(RecipePlanner.friendly(8, 1)).containsExactly(64, 64);
    assertThat(RecipePlanner.friendly(8192, 3)).containsExactly(8192, 8192);
  }

  @Test
  void landmarkPlansASizeAStableDiffusionUnetCanRun() throws Exception {
    // a 3:4 photo at a 128 base once planned 128 × 168; SD UNets need multiples of 64
    Path photo = image("tall.png", 300, 400, 0xff808080);
    Job j =
        planner
            .plan(
                recipes.find("landmark", Map.of("generate.base", "128")),
                new RecipeInputs(Map.of(), photo, null, 5L),
                out)
            .get(0);
    assertThat(new int[] {j.request().width(), j.request().height()}).containsExactly(128, 192);
    assertThat(j.request().width() % 64).isZero();
    assertThat(j.request().height() % 64).isZero();
  }

  /** A recipe at a small generation size (the planner's sizes scale with the base). */
  private Job small(String name, Path photo, String... sets) {
    Map<String, String> all = new java.util.LinkedHashMap<>();
    all.put("generate.base", "128");
    for (int i = 0; i < sets.length; i += 2) {
      all.put(sets[i], sets[i + 1]);
    }
    return planner
        .plan(recipes.find(name, all), new RecipeInputs(Map.of(), photo, null, 3L), out)
        .get(0);
  }

  @Test
  void aWallpaperOutpaintsAPhotoOfAnotherAspectInsteadOfCroppingIt() throws Exception {
    Path photo = image("photo.png", 160, 120, 0xffc08040);
    Job desk = small("desktop-wallpaper", photo);
    // 256×128 for 16:9, cropped to 16:9 after upscaling (x 14.2–241.8 kept: on the 8-pixel grid
    // 16–240); the 4:3 photo scaled to fit in there (170.7×128 → 168×128), centred
    assertThat(new int[] {desk.request().width(), desk.request().height()})
        .containsExactly(256, 128);
    assertThat(desk.request().init().image().getWidth()).isEqualTo(256);
    assertThat(desk.request().init().image().getHeight()).isEqualTo(128);
    assertThat(desk.request().inpaint().settings().outpaint())
        .isEqualTo("left=40,top=0,right=48,bottom=0");
    assertThat(desk.request().inpaint().settings().fill()).isEqualTo("fill");
    assertThat(desk.request().strength()).isEqualTo(0.8);
    assertThat(desk.request().init().source()).isEqualTo(desk.basemapFile().toString());
    assertThat(desk.notes())
        .containsExactly(
            "recipe: the input picture (160×120) was kept whole, scaled to 168×128, and the canvas"
                + " extended to 256×128 by outpainting left=40,top=0,right=48,bottom=0 (masked"
                + " content fill, strength 0.8); the painted area is those strips plus 8 px of"
                + " overlap into the picture, outside it the picture's pixels are pasted back");
    Job phone = small("phone-wallpaper", photo);
    // 128×256, cropped to 1080:2400 after upscaling (x 6.4–121.6 kept: 8–120), so the photo is
    // 112×84 → 112×88 there, with 8 px beside it that the final crop removes
    assertThat(phone.request().inpaint().settings().outpaint())
        .isEqualTo("left=8,top=80,right=8,bottom=88");
  }

  @Test
  void aWallpaperCropsThePhotoWhenAskedAndRepaintsAMatchingOne() throws Exception {
    Path photo = image("photo.png", 160, 120, 0xffc08040);
    Job crop = small("desktop-wallpaper", photo, "extend.method", "crop");
    assertThat(crop.request().inpaint()).isNull();
    assertThat(crop.request().init().image().getWidth()).isEqualTo(160);
    assertThat(crop.request().fit()).isEqualTo(atelier.image.Resize.Fit.COVER);
    assertThat(crop.request().strength()).isEqualTo(0.8);
    assertThat(crop.notes().get(0)).contains("cropped to the aspect of 256×128");
    Path wide = image("wide.png", 256, 128, 0xffc08040);
    Job same = small("desktop-wallpaper", wide, "upscale.width", "512", "upscale.height", "256");
    assertThat(same.request().inpaint()).isNull();
    assertThat(same.notes().get(0)).contains("already has the aspect of 256×128");
  }

  @Test
  void aRecipeWithoutExtendStillRefusesAPicture() throws Exception {
    Path photo = image("photo.png", 64, 48, 0xffc08040);
    assertThatThrownBy(() -> plan("art-name", new RecipeInputs(Map.of(), photo, "Ab", 1L)))
        .hasMessageContaining("--input: expected no input file (input: text)");
  }
}

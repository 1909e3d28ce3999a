package atelier.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.diffusion.SchedulerKind;
import atelier.image.basemap.OpKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecipeReaderTest {
  private static final String MINIMAL =
      "format: atelier-recipe/1\nname: t\nversion: 2\nprompt: {text: a cat}\n";

  private static Recipe read(String yaml) {
    return RecipeReader.read(yaml, "test", Map.of());
  }

  @Test
  void everyBuiltInRecipeReads() {
    List<Recipe> all = new Recipes(null).all();
    assertThat(all.stream().map(Recipe::name))
        .containsExactly(
            "phone-wallpaper", "desktop-wallpaper", "art-name", "landmark", "collectible-series");
    Recipe phone = all.get(0);
    assertThat(phone.version()).isEqualTo("1.0.0");
    assertThat(phone.upscale()).isEqualTo(new Recipe.Upscale(1080, 2400, "auto", null));
    assertThat(phone.select().keep()).isEqualTo(Recipe.Select.Keep.BEST);
    Recipe art = all.get(2);
    assertThat(art.input()).isEqualTo(Recipe.Input.TEXT);
    assertThat(art.basemap())
        .extracting(Recipe.Step::kind)
        .containsExactly(OpKind.CANVAS, OpKind.GRADIENT, OpKind.TEXT, OpKind.NOISE);
    assertThat(art.basemap().get(2).args()).containsEntry("text", "{text}");
    assertThat(all.get(4).series().items()).hasSize(6);
  }

  @Test
  void minimalRecipeTakesDefaults() {
    Recipe r = read(MINIMAL);
    assertThat(r.version()).isEqualTo("2");
    assertThat(r.input()).isEqualTo(Recipe.Input.NONE);
    assertThat(r.generate()).isEqualTo(Recipe.Generate.DEFAULT);
    assertThat(r.select()).isEqualTo(Recipe.Select.KEEP_ALL);
    assertThat(r.upscale()).isNull();
    assertThat(r.series()).isNull();
  }

  @Test
  void anUnknownOpNamesItsPathExpectedAndFound() {
    String yaml = MINIMAL + "basemap:\n  - canvas:8,8\n  - blur:1\n  - blurr:2\n";
    assertThatThrownBy(() -> read(yaml))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "recipe.basemap[2].op: expected one of "
                + String.join(", ", OpKind.names())
                + ", found 'blurr'");
    assertThatThrownBy(() -> read(MINIMAL + "basemap:\n  - {op: blurr, sigma: 2}\n"))
        .hasMessageStartingWith("recipe.basemap[0].op: expected one of canvas");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    String yaml =
        "format: atelier-recipe/2\nname: Bad Name\nversion: 1\nprompt: {template: x, text: y}\n"
            + "generate: {steps: many, scheduler: eulr, width: 100, colour: red}\n"
            + "basemap:\n  - temperature:10\n  - blur:1\n  - canvas:8,8\n"
            + "upscale: {width: 100}\nseries: {items: []}\n";
    assertThatThrownBy(() -> read(yaml))
        .hasMessageStartingWith("recipe test: ")
        .hasMessageContaining(
            "recipe.format: expected 'atelier-recipe/1', found 'atelier-recipe/2'")
        .hasMessageContaining(
            "recipe.name: expected lower-case letters, digits and hyphens, found 'Bad Name'")
        .hasMessageContaining(
            "recipe.prompt: expected exactly one of template (a library template) and text (a pattern), found both")
        .hasMessageContaining("recipe.generate.colour: expected a key among width, height, base")
        .hasMessageContaining(
            "recipe.generate.steps: expected a whole number from 1 to 1000, found 'many'")
        .hasMessageContaining("recipe.generate.scheduler: expected one of ")
        .hasMessageContaining("recipe.generate.width: expected a multiple of 8, found 100")
        .hasMessageContaining(
            "recipe.basemap[0]: basemap temperature: kelvin: expected 1000 to 40000, found 10")
        .hasMessageContaining(
            "recipe.basemap[2].op: expected canvas only as the first step, found it at 3")
        .hasMessageContaining("recipe.upscale: expected width and height, found no height")
        .hasMessageContaining(
            "recipe.series.items: expected a list of at least one item, found an empty list");
  }

  @Test
  void structuralMistakes() {
    assertThatThrownBy(() -> read("- a\n- b\n"))
        .hasMessage("recipe test: expected a map at the top, found a list");
    assertThatThrownBy(() -> read("format: atelier-recipe/1\nname: t\nversion: 1\n"))
        .hasMessage("recipe.prompt: expected a map, found nothing");
    assertThatThrownBy(() -> read(MINIMAL + "generate: {strength: 0.5}\n"))
        .hasMessageContaining("recipe.generate.strength: applies to image-to-image");
    assertThatThrownBy(() -> read(MINIMAL + "generate: {height: 64}\n"))
        .hasMessage(
            "recipe.generate: expected both width and height or neither, found only height");
    assertThatThrownBy(() -> read(MINIMAL + "input: video\n"))
        .hasMessage("recipe.input: expected one of none, image, text, logo, found 'video'");
    assertThatThrownBy(() -> read(MINIMAL + "params: {subject: [a, b]}\n"))
        .hasMessageContaining("recipe.params.subject: expected a default value or a map");
  }

  @Test
  void overridesAreAppliedBeforeChecking() {
    Map<String, String> sets = new LinkedHashMap<>();
    sets.put("generate.steps", "30");
    sets.put("generate.scheduler", "dpm++2m");
    sets.put("upscale", "null");
    sets.put("series.items", "[a fox, an owl]");
    sets.put("prompt.picks.style", "anime");
    Recipe r = RecipeReader.read(new Recipes(null).source("collectible-series").text(), "x", sets);
    assertThat(r.generate().steps()).isEqualTo(30);
    assertThat(r.generate().scheduler()).isEqualTo(SchedulerKind.DPMPP_2M);
    assertThat(r.series().items()).containsExactly("a fox", "an owl");
    assertThat(r.prompt().picks()).containsEntry("style", "anime");
    Recipe phone =
        RecipeReader.read(
            new Recipes(null).source("phone-wallpaper").text(), "x", Map.of("upscale", "null"));
    assertThat(phone.upscale()).isNull();
    assertThatThrownBy(
            () ->
                RecipeReader.read(
                    new Recipes(null).source("phone-wallpaper").text(),
                    "x",
                    Map.of("generate.steps", "0")))
        .hasMessage("recipe.generate.steps: expected a whole number from 1 to 1000, found 0");
  }

  @Test
  void catalogueNamesItsRecipes() {
    assertThatThrownBy(() -> new Recipes(null).source("phone"))
        .hasMessage(
            "recipe: expected a recipe name (phone-wallpaper, desktop-wallpaper, art-name,"
                + " landmark, collectible-series) or a .yaml/.json file, found 'phone'");
    assertThatThrownBy(() -> new Recipes(null).source("missing.yaml"))
        .hasMessage("recipe: expected a file at missing.yaml, found nothing");
  }

  @Test
  void extendSectionIsReadWithDefaultsAndChecked() {
    assertThat(new Recipes(null).find("phone-wallpaper", Map.of()).extend())
        .isEqualTo(Recipe.Extend.DEFAULT);
    assertThat(read(MINIMAL + "extend: {}\n").extend()).isEqualTo(Recipe.Extend.DEFAULT);
    assertThat(read(MINIMAL + "extend: {method: crop, strength: 0.5}\n").extend())
        .isEqualTo(new Recipe.Extend(Recipe.Extend.Method.CROP, 0.5, 4, "fill"));
    assertThat(read(MINIMAL).extend()).isNull();
    assertThatThrownBy(() -> read(MINIMAL + "extend: {method: stretch}\n"))
        .hasMessage("recipe.extend.method: expected one of outpaint, crop, found 'stretch'");
    assertThatThrownBy(() -> read(MINIMAL + "extend: {fill: grey}\n"))
        .hasMessage(
            "recipe.extend.fill: expected one of fill, original, noise, nothing, found 'grey'");
    assertThatThrownBy(() -> read(MINIMAL + "extend: {strength: 0}\n"))
        .hasMessageContaining("recipe.extend.strength: expected more than 0 and at most 1");
    assertThatThrownBy(() -> read(MINIMAL + "input: text\nextend: {}\n"))
        .hasMessageContaining("recipe.extend: applies to recipes with an optional input picture");
    assertThatThrownBy(() -> read(MINIMAL + "extend: {}\ncontrol: {net: canny}\n"))
        .hasMessageContaining("expected extend or control, found both");
  }
}

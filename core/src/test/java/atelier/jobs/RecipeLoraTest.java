package atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.AtelierHome;
import atelier.model.SessionSettings;
import atelier.model.lora.LoraRequest;
import atelier.testing.TestPaths;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipes take LoRAs as generate does: {@code loras} in the spec ({@code recipe run --lora}), or
 * {@code <lora:NAME:W>} in the recipe's prompt or a parameter; they are merged for every job and
 * recorded. A weight w ≠ 0 changes the picture, weight 0 gives the plain model's picture exactly.
 */
class RecipeLoraTest {
  static final Path MODEL = TestPaths.tinyModel("sd15-optimum-1.22");
  static final Path LORA =
      TestPaths.repoRoot().resolve("core/src/test/resources/lora/tiny-sd15.safetensors");

  static RecipeSpec phone(List<LoraRequest> loras, String... sets) {
    Map<String, String> all = new LinkedHashMap<>();
    all.putAll(
        Map.of(
            "generate.base", "64",
            "generate.steps", "2",
            "generate.batch", "1",
            "select.keep", "all",
            "upscale", "null",
            "subject", "a lighthouse"));
    for (int i = 0; i < sets.length; i += 2) {
      all.put(sets[i], sets[i + 1]);
    }
    return new RecipeSpec("phone-wallpaper", all, null, null, 4L, MODEL.toString(), loras);
  }

  static JobRunner runner(Path home, ModelCache cache) {
    AtelierHome h = AtelierHome.at(home);
    return new JobRunner(
        h,
        SessionSettings.CPU,
        cache,
        new ModelResolver(h, Map.of(), ModelResolver.Downloads.of(false)));
  }

  static int[] pixels(JobResult r) throws Exception {
    BufferedImage img = ImageIO.read(r.images().get(0).file().toFile());
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  @Test
  void aLoraChangesTheRecipesPictureAndWeightZeroIsThePlainModel(@TempDir Path home)
      throws Exception {
    Files.createDirectories(home.resolve("loras"));
    Files.copy(LORA, home.resolve("loras/tiny-sd15.safetensors"));
    try (ModelCache cache = new ModelCache(1L << 30)) {
      JobRunner runner = runner(home, cache);
      JobResult plain =
          runner.run(phone(null), JobContext.of(OutputSink.folder(home.resolve("a"))));
      JobResult zero =
          runner.run(
              phone(List.of(new LoraRequest(LORA.toString(), 0))),
              JobContext.of(OutputSink.folder(home.resolve("b"))));
      JobResult on =
          runner.run(
              phone(List.of(new LoraRequest(LORA.toString(), 0.8))),
              JobContext.of(OutputSink.folder(home.resolve("c"))));
      // the same tag in a parameter's text, by the installed name
      JobResult tagged =
          runner.run(
              phone(null, "subject", "a lighthouse <lora:tiny-sd15:0.8>"),
              JobContext.of(OutputSink.folder(home.resolve("d"))));
      assertThat(pixels(zero)).isEqualTo(pixels(plain));
      assertThat(Arrays.equals(pixels(on), pixels(plain))).isFalse();
      assertThat(Arrays.equals(pixels(tagged), pixels(plain))).isFalse();
      var record = on.images().get(0).record();
      // the tag names the LoRA as it was given (here a file), as generate --lora writes it
      assertThat(record.settings().prompt()).endsWith(" <lora:" + LORA + ":0.8>");
      assertThat(record.model().loras())
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.name()).isEqualTo("tiny-sd15");
                assertThat(l.weight()).isEqualTo(0.8);
                assertThat(l.matched()).isEqualTo(l.modules()).isPositive();
              });
      assertThat(on.notes()).anyMatch(n -> n.startsWith("lora tiny-sd15: "));
      assertThat(tagged.images().get(0).record().model().loras())
          .extracting(l -> l.name() + ":" + l.weight())
          .containsExactly("tiny-sd15:0.8");
      assertThat(plain.images().get(0).record().model().loras()).isEmpty();
    }
  }

  @Test
  void lorasAreCheckedWhenTheJobIsPrepared(@TempDir Path home) throws Exception {
    try (ModelCache cache = new ModelCache(0)) {
      JobRunner runner = runner(home, cache);
      assertThatThrownBy(() -> runner.prepare(phone(List.of(new LoraRequest("nope", 1)))))
          .hasMessageStartingWith(
              "lora nope: expected a .safetensors file or an installed LoRA (atelier models"
                  + " import FILE --kind lora), found neither");
      Path logo = home.resolve("logo.png");
      ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", logo.toFile());
      RecipeSpec series =
          new RecipeSpec(
              "collectible-series",
              Map.of("series.items", "[a fox <lora:" + LORA + ":1>, an owl]"),
              logo.toString(),
              null,
              1L,
              null);
      assertThatThrownBy(() -> runner.prepare(series))
          .hasMessageContaining(
              "recipe collectible-series: expected the same LoRAs in every job (one model serves"
                  + " the run), found <lora:"
                  + LORA
                  + ":1> in collectible-series-001 and none in collectible-series-002");
    }
  }

  @Test
  void lorasTravelInTheJsonSpec() {
    RecipeSpec s =
        (RecipeSpec)
            JobSpecs.fromJson(
                "recipe",
                "{\"recipe\":\"phone-wallpaper\",\"loras\":[{\"name\":\"tiny-sd15\",\"weight\":0.5}]}");
    assertThat(s.loras()).containsExactly(new LoraRequest("tiny-sd15", 0.5));
    assertThat(JobSpecs.toJson(s.withSeed(3L))).contains("\"loras\":[{\"name\":\"tiny-sd15\"");
    assertThat(new RecipeSpec("landmark", null, null, null, null, null, List.of()).loras())
        .isNull();
  }
}

package atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.ControlSettings;
import atelier.pipeline.GenerationSettings;
import atelier.pipeline.Symmetry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Job specs: validation with the CLI's messages, and JSON both ways. */
class JobSpecsTest {

  private static GenerateSpec full() {
    return GenerateSpec.builder("a lighthouse, (storm:1.2)")
        .model("sd15-onnx")
        .negativePrompt("blurry")
        .size(64, 48)
        .steps(20)
        .guidance(7.5)
        .scheduler("euler-a")
        .eta(0.0)
        .seed(1234L)
        .initData(new byte[] {1, 2, 3, 4})
        .strength(0.6)
        .fit("contain")
        .symmetry(new Symmetry(true, false, 0.5))
        .select(8, 2, 60.0, List.of("technical", "brisque"))
        .upscale(2, "esrgan-thick", 0.3, 10, 0)
        .build();
  }

  @Test
  void everyKindRoundTripsThroughJson() {
    List<JobSpec> specs =
        List.of(
            full(),
            new UpscaleSpec("photo.jpg", null, 4, "esrgan-slim", 128, 16, 512L, "lanczos"),
            new RecipeSpec(
                "phone-wallpaper",
                Map.of("subject", "a fox", "generate.steps", "2"),
                null,
                null,
                7L,
                "/models/x"),
            new SweepSpec(
                "a lighthouse at dusk",
                "guidance=3,7.5,12",
                "seed=1..3",
                null,
                null,
                null,
                null,
                null,
                "fog",
                4,
                null,
                "ddim",
                null,
                64,
                64,
                null,
                List.of("canvas:64:64:#336699"),
                0.7,
                null,
                null));
    for (JobSpec spec : specs) {
      String json = JobSpecs.toJson(spec);
      JobSpec back = JobSpecs.fromJson(spec.kind(), json);
      assertThat(back).isInstanceOf(spec.getClass());
      assertThat(JobSpecs.toJson(back)).isEqualTo(json);
    }
    GenerateSpec g = (GenerateSpec) JobSpecs.fromJson("generate", JobSpecs.toJson(full()));
    assertThat(g.initData()).containsExactly(1, 2, 3, 4);
    assertThat(g.symmetry()).isEqualTo(new Symmetry(true, false, 0.5));
    assertThat(g.scorers()).containsExactly("technical", "brisque");
    assertThat(JobSpecs.toJson(full()))
        .contains("\"negativePrompt\":\"blurry\"", "\"initData\":\"AQIDBA==\"")
        .doesNotContain("\"batch\"", "\"init\":");
  }

  @Test
  void aStoredImagesSettingsAreAGenerateSpec() throws Exception {
    GenerationSettings s =
        new GenerationSettings(
            "a castle",
            "fog",
            64,
            64,
            3,
            7.5,
            "euler",
            0.0,
            42,
            1,
            0.5,
            "basemap.png",
            "ab12",
            "cover",
            new Symmetry(false, true, 0.25),
            2,
            7L,
            0.25,
            null,
            List.of(
                new ControlSettings(
                    "canny-tiny", "edges.png", "cd34", "canny:50:150", 0.8, 0, 0.6)),
            true);
    String json = ArtworkPng.json().writeValueAsString(s);
    GenerateSpec g = (GenerateSpec) JobSpecs.fromJson("generate", json);
    assertThat(g.prompt()).isEqualTo("a castle");
    assertThat(g.seed()).isEqualTo(42L);
    assertThat(g.init()).isEqualTo("basemap.png");
    assertThat(g.initSha256()).isEqualTo("ab12");
    assertThat(g.strength()).isEqualTo(0.5);
    assertThat(g.clipSkip()).isEqualTo(2);
    assertThat(g.subseed()).isEqualTo(7L);
    assertThat(g.subseedStrength()).isEqualTo(0.25);
    assertThat(g.symmetry()).isEqualTo(new Symmetry(false, true, 0.25));
    // the stored ControlNets are the job's, the control image checked by its hash as the basemap
    assertThat(g.controls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.model()).isEqualTo("canny-tiny");
              assertThat(c.image()).isEqualTo("edges.png");
              assertThat(c.imageSha256()).isEqualTo("cd34");
              assertThat(c.preprocess()).isEqualTo("canny:50:150");
              assertThat(c.scale()).isEqualTo(0.8);
              assertThat(c.end()).isEqualTo(0.6);
            });
    assertThat(g.guessMode()).isTrue();
  }

  @Test
  void badJsonNamesTheFieldWhatWasExpectedAndWhatWasFound() {
    assertThatThrownBy(() -> JobSpecs.fromJson("generate", "{\"prompt\":\"x\",\"widht\":64}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("generate spec field 'widht': expected one of ")
        .hasMessageContaining("width")
        .hasMessageEndingWith("found an unknown field");
    assertThatThrownBy(() -> JobSpecs.fromJson("generate", "{\"prompt\":\"x\",\"width\":\"wide\"}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("generate spec field 'width': expected a whole number, found 'wide'");
    assertThatThrownBy(() -> JobSpecs.fromJson("generate", "{\"prompt\":\"x\",\"steps\":2.5}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("generate spec field 'steps': expected a whole number, found 2.5");
    assertThatThrownBy(() -> JobSpecs.fromJson("generate", "{\"prompt\":[\"x\"]}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("generate spec field 'prompt': expected text, found a list");
    assertThatThrownBy(() -> JobSpecs.fromJson("generate", "{\"prompt\":\"x\",\"width\":500}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("width: expected a multiple of 8 from 8 to 8192 pixels, found 500");
    assertThatThrownBy(
            () ->
                JobSpecs.fromJson(
                    "generate",
                    "{\"prompt\":\"x\",\"symmetry\":{\"horizontal\":true,\"vertical\":false,"
                        + "\"fraction\":2}}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "generate spec field 'symmetry': symmetry fraction: expected a share of the steps in"
                + " (0, 1], found 2.0");
    assertThatThrownBy(() -> JobSpecs.fromJson("generate", "{\"prompt\":"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("generate spec: expected JSON, found a syntax error at line 1");
    assertThatThrownBy(() -> JobSpecs.fromJson("generate", "[1]"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("generate spec: expected a JSON object, found a list");
    assertThatThrownBy(() -> JobSpecs.fromJson("paint", "{}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("kind: expected one of generate, upscale, recipe, sweep, found 'paint'");
    assertThatThrownBy(() -> JobSpecs.fromJson("upscale", "{\"input\":\"a.png\",\"scale\":5}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("--scale: expected 2, 3, 4 or 8, found 5");
  }

  @Test
  void generateChecksAsTheCliDoes() {
    assertThatThrownBy(() -> GenerateSpec.builder(null).build())
        .isInstanceOf(BadRequestException.class)
        .hasMessage("prompt: expected a prompt (or --from IMAGE.png), found none");
    assertThatThrownBy(() -> GenerateSpec.builder("x").batch(2).select(4, null, null, null).build())
        .hasMessage("--batch and --candidates: expected one of them, found both");
    assertThatThrownBy(() -> GenerateSpec.builder("x").select(null, 2, null, null).build())
        .hasMessage("--keep/--min-score/--scorer: expected --candidates N with them, found none");
    assertThatThrownBy(() -> GenerateSpec.builder("x").select(2, 3, null, null).build())
        .hasMessage("--candidates/--keep: expected 1 ≤ K ≤ N, found N 2, K 3");
    assertThatThrownBy(() -> GenerateSpec.builder("x").select(2, 1, Double.NaN, null).build())
        .hasMessage("--min-score: expected a number from 0 to 100, found NaN");
    assertThatThrownBy(() -> GenerateSpec.builder("x").select(2, 1, 150.0, null).build())
        .hasMessage("--min-score: expected a number from 0 to 100, found 150.0");
    // A scorer's scale lies within 0-100: the range is checked before K and N, as generate does.
    assertThatThrownBy(() -> GenerateSpec.builder("x").select(2, 3, -1.0, null).build())
        .hasMessage("--min-score: expected a number from 0 to 100, found -1.0");
    // The upscale rules are generate's: the hires options need --upscale.
    assertThatThrownBy(() -> GenerateSpec.hires(null, null, 0.3, null, null))
        .hasMessage(
            "--hires-strength, --hires-steps, --upscaler and --tile apply to upscaling; expected"
                + " --upscale N too, found none");
    assertThatThrownBy(() -> GenerateSpec.builder("x").upscale(5, null, null, null, null).build())
        .hasMessage("--upscale: expected 2, 3, 4 or 8, found 5");
    assertThatThrownBy(() -> GenerateSpec.builder("x").upscale(null, null, 0.3, null, null).build())
        .hasMessageStartingWith("--hires-strength, --hires-steps, --upscaler and --tile apply to");
    assertThatThrownBy(() -> GenerateSpec.builder("x").upscale(2, null, null, 10, null).build())
        .hasMessageContaining("expected --hires-strength too");
    assertThatThrownBy(() -> GenerateSpec.builder("x").strength(0.5).build())
        .hasMessage(
            "strength: applies to image-to-image; expected an init image (--init), found none");
    // A1111's sampler names are accepted wherever a scheduler is named, JSON specs included
    GenerateSpec a1111 =
        (GenerateSpec)
            JobSpecs.fromJson(
                "generate", "{\"prompt\":\"x\",\"scheduler\":\"DPM++ 2M SDE Karras\"}");
    assertThat(a1111.request().scheduler())
        .isEqualTo(atelier.diffusion.SchedulerKind.DPMPP_2M_SDE_KARRAS);
    assertThatThrownBy(() -> GenerateSpec.builder("x").scheduler("DPM++ 3M").build())
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("DPM++ 3M");
    assertThatThrownBy(() -> GenerateSpec.builder("x").seed(-2L).build())
        .hasMessage("seed: expected 0 to 4294967295 (or -1 for a random one), found -2");
    // A1111's -1 is a random seed: no seed in the spec, drawn when the job is prepared.
    assertThat(GenerateSpec.builder("x").seed(-1L).build().seed()).isNull();
    assertThatThrownBy(
            () -> GenerateSpec.builder("x").init("a.png", null).initData(new byte[1]).build())
        .hasMessage("init/initData: expected one basemap, found both");
    // A basemap file is read when the job runs, with the CLI's message.
    GenerateSpec missing =
        GenerateSpec.builder("x").init("no/such.png", null).strength(0.5).build();
    assertThatThrownBy(missing::request)
        .isInstanceOf(BadRequestException.class)
        .hasMessage("init image: expected an image file at no/such.png, found nothing");
    assertThatThrownBy(
            () -> GenerateSpec.builder("x").initData(new byte[] {1, 2}).build().request())
        .hasMessage(
            "init image uploaded basemap: expected a PNG, JPEG, BMP or GIF image, found an"
                + " unreadable file of no known image format");
  }

  @Test
  void sweepAndRecipeCheckAsTheCliDoes() {
    assertThatThrownBy(() -> sweep(null, "seed=1..2", null))
        .hasMessage("prompt: expected a PROMPT or --recipe NAME, found neither");
    assertThatThrownBy(() -> sweep("a fox", "seed=1..2", "wallpaper"))
        .hasMessageStartingWith("sweep --recipe: expected settings as --set generate.KEY=VALUE");
    assertThatThrownBy(() -> sweep("a fox", "colour=red", null))
        .isInstanceOf(BadRequestException.class);
    assertThatThrownBy(() -> new RecipeSpec("phone-wallpaper", null, null, null, 1L << 33, null))
        .hasMessage("--seed: expected 0 to 4294967295, found 8589934592");
    assertThatThrownBy(() -> new RecipeSpec(" ", null, null, null, null, null))
        .hasMessage("recipe: expected a recipe name or file, found none");
  }

  private static SweepSpec sweep(String prompt, String x, String recipe) {
    return new SweepSpec(
        prompt, x, null, null, recipe, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null);
  }
}

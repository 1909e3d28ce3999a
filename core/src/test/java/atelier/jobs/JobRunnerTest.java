package atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.CancelledException;
import atelier.ModelLoadException;
import atelier.Progress;
import atelier.ProgressListener;
import atelier.image.PngText;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.ImageRecord;
import atelier.pipeline.StableDiffusion;
import atelier.testing.TestPaths;
import atelier.upscale.UpscalePng;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs end to end through {@link JobRunner} on the tiny models, sharing one warm cache. */
class JobRunnerTest {
  private static final SessionSettings CPU = new SessionSettings(Device.CPU, 1, 0);
  private static final Path SD15 = TestPaths.tinyModel("sd15-optimum-1.22");
  private static final Path UPSCALER =
      TestPaths.repoRoot().resolve("core/src/test/resources/upscale/tiny-x2-even.onnx");
  private static ModelCache cache;

  @TempDir static Path home;

  @BeforeAll
  static void open() {
    cache = new ModelCache(1L << 30);
  }

  @AfterAll
  static void close() {
    cache.close();
  }

  private static JobRunner runner() {
    AtelierHome h = AtelierHome.at(home);
    return new JobRunner(
        h, CPU, cache, new ModelResolver(h, Map.of(), ModelResolver.Downloads.of(false)));
  }

  private static GenerateSpec.Builder spec(String prompt) {
    return GenerateSpec.builder(prompt).model(SD15.toString()).size(64, 64).steps(2);
  }

  private static List<Path> pngs(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
  }

  @Test
  void aGenerateJobWritesEachImageAsThePipelineMakesIt(@TempDir Path out) throws Exception {
    JobResult r =
        runner()
            .run(
                spec("a lighthouse").seed(5L).batch(2).build(),
                JobContext.of(OutputSink.folder(out)));

    assertThat(r.images())
        .extracting(i -> i.file().getFileName().toString())
        .containsExactly("00001-5.png", "00002-6.png");
    assertThat(pngs(out)).hasSize(2);
    ImageRecord stored = ArtworkPng.read(out.resolve("00002-6.png"));
    assertThat(stored.settings().seed()).isEqualTo(6);
    assertThat(stored.settings().steps()).isEqualTo(2);
    assertThat(r.timings()).isNotNull();
    // The same pixels as the pipeline called directly.
    try (ModelCache.Lease<StableDiffusion> sd = cache.pipeline(SD15, CPU)) {
      BufferedImage direct =
          sd.get()
              .generate(
                  GenerationRequest.builder("a lighthouse").size(64, 64).steps(2).seed(6L).build(),
                  ProgressListener.NONE,
                  CancelToken.NONE)
              .images()
              .get(0)
              .image();
      BufferedImage written = ImageIO.read(out.resolve("00002-6.png").toFile());
      assertThat(written.getRGB(0, 0, 64, 64, null, 0, 64))
          .isEqualTo(direct.getRGB(0, 0, 64, 64, null, 0, 64));
    }
    // A second job into the same folder takes the next numbers, overwriting nothing.
    runner().run(spec("a lighthouse").seed(5L).build(), JobContext.of(OutputSink.folder(out)));
    assertThat(pngs(out)).extracting(p -> p.getFileName().toString()).contains("00003-5.png");
  }

  @Test
  void aPreparedSpecHasItsSeedFixedSoARerunMakesTheSameImage(@TempDir Path out) throws Exception {
    GenerateSpec prepared = (GenerateSpec) runner().prepare(spec("a castle").build());
    assertThat(prepared.seed()).isNotNull();
    // As a queue stores it and reads it back after a restart.
    JobSpec stored = JobSpecs.fromJson(prepared.kind(), JobSpecs.toJson(prepared));
    Path a =
        runner()
            .run(prepared, JobContext.of(OutputSink.folder(out.resolve("a"))))
            .images()
            .get(0)
            .file();
    Path b =
        runner()
            .run(stored, JobContext.of(OutputSink.folder(out.resolve("b"))))
            .images()
            .get(0)
            .file();
    assertThat(ImageIO.read(b.toFile()).getRGB(0, 0, 64, 64, null, 0, 64))
        .isEqualTo(ImageIO.read(a.toFile()).getRGB(0, 0, 64, 64, null, 0, 64));
    assertThatThrownBy(
            () ->
                runner().prepare(spec("x").init(out.resolve("none.png").toString(), null).build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected an image file at");
  }

  @Test
  void a1111sMinusOneSeedsAreDrawnWhenTheSpecIsPreparedNotWhenItRuns() throws Exception {
    GenerateSpec json =
        (GenerateSpec)
            JobSpecs.fromJson(
                "generate",
                "{\"prompt\":\"a castle\",\"seed\":-1,\"subseed\":-1,"
                    + "\"subseedStrength\":0.4,\"clipSkip\":2}");
    assertThat(json.seed()).isNull();
    assertThat(json.subseed()).isNull();
    GenerateSpec prepared = (GenerateSpec) runner().prepare(json);
    assertThat(prepared.seed()).isBetween(0L, 0xFFFF_FFFFL);
    assertThat(prepared.subseed()).isBetween(0L, 0xFFFF_FFFFL);
    assertThat(prepared.subseedStrength()).isEqualTo(0.4);
    assertThat(prepared.clipSkip()).isEqualTo(2);
    assertThat(JobSpecs.toJson(prepared))
        .contains("\"seed\":" + prepared.seed(), "\"subseed\":" + prepared.subseed());
    // A spec without variation gets no variation seed.
    assertThat(((GenerateSpec) runner().prepare(spec("x").build())).subseed()).isNull();
  }

  @Test
  void cancellingMidRunKeepsTheImagesAlreadyFinished(@TempDir Path out) throws Exception {
    CancelToken cancel = new CancelToken();
    ProgressListener cancelOnSecondImage =
        p -> {
          if (p.stage() == Progress.Stage.DENOISE && p.image() == 1) {
            cancel.cancel();
          }
        };
    assertThatThrownBy(
            () ->
                runner()
                    .run(
                        spec("a fox").seed(9L).batch(3).build(),
                        new JobContext(cancelOnSecondImage, cancel, OutputSink.folder(out))))
        .isInstanceOf(CancelledException.class);
    assertThat(pngs(out))
        .extracting(p -> p.getFileName().toString())
        .containsExactly("00001-9.png");
    assertThat(ArtworkPng.read(out.resolve("00001-9.png")).settings().seed()).isEqualTo(9);
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.filter(p -> p.getFileName().toString().endsWith(".part"))).isEmpty();
    }
  }

  @Test
  void bestOfNKeepsTheBestAndWritesTheSelectionReport(@TempDir Path out) throws Exception {
    JobResult r =
        runner()
            .run(
                spec("a hill").seed(20L).select(3, 2, null, null).build(),
                JobContext.of(OutputSink.folder(out)));

    assertThat(r.images()).hasSize(2);
    assertThat(r.selection().report().candidates()).hasSize(3);
    assertThat(r.selection().reportFile()).isEqualTo(out.resolve("selection-20.json"));
    assertThat(r.selection().sheetFile()).isEqualTo(out.resolve("selection-20.png"));
    assertThat(ImageIO.read(r.selection().sheetFile().toFile())).isNotNull();
    JsonNode report = ArtworkPng.json().readTree(r.selection().reportFile().toFile());
    assertThat(report.get("ranked_by").asText())
        .isEqualTo("quality:default"); // the built-in judge ranks by default
    assertThat(report.get("candidates").asInt()).isEqualTo(3);
    assertThat(report.get("keep").asInt()).isEqualTo(2);
    assertThat(report.get("images")).hasSize(3);
    int files = 0;
    for (JsonNode n : report.get("images")) {
      if (n.get("kept").asBoolean()) {
        assertThat(out.resolve(Path.of(n.get("file").asText()).getFileName())).exists();
        files++;
      } else {
        assertThat(n.get("rejected").asText()).isNotBlank();
      }
    }
    assertThat(files).isEqualTo(2);
    assertThat(pngs(out)).hasSize(3); // two kept images and the contact sheet
  }

  @Test
  void aFrontEndHearsTheModelTheRankingAndEachImageAsTheyHappen(@TempDir Path out)
      throws Exception {
    List<String> heard = new java.util.ArrayList<>();
    JobEvents events =
        new JobEvents() {
          @Override
          public void loaded(atelier.pipeline.StableDiffusion model) {
            heard.add("loaded");
          }

          @Override
          public void candidatesRanked(atelier.quality.Selection.Report report) {
            heard.add("ranked " + report.candidates().size());
          }

          @Override
          public void image(JobResult.Image image) {
            heard.add("image " + image.file().getFileName());
          }
        };
    JobResult r =
        runner()
            .run(
                spec("a hill").seed(30L).select(3, 2, null, null).build(),
                new JobContext(null, null, OutputSink.folder(out), events));
    assertThat(heard)
        .containsExactly(
            "loaded",
            "ranked 3",
            "image " + r.images().get(0).file().getFileName(),
            "image " + r.images().get(1).file().getFileName());
  }

  @Test
  void aSecondBestOfNRunKeepsTheFirstRunsReportAndSheet(@TempDir Path out) throws Exception {
    GenerateSpec spec = spec("a hill").seed(21L).select(2, 1, null, null).build();
    JobResult first = runner().run(spec, JobContext.of(OutputSink.folder(out)));
    byte[] report = Files.readAllBytes(first.selection().reportFile());
    JobResult second = runner().run(spec, JobContext.of(OutputSink.folder(out)));

    assertThat(Files.readAllBytes(out.resolve("selection-21.json"))).isEqualTo(report);
    assertThat(second.selection().reportFile()).isEqualTo(out.resolve("selection-21-2.json"));
    assertThat(second.selection().sheetFile()).isEqualTo(out.resolve("selection-21-2.png"));
    assertThat(second.images().get(0).file()).isEqualTo(out.resolve("00002-21.png"));
  }

  @Test
  void upscaleAndHiresFixJobs(@TempDir Path out) throws Exception {
    JobResult gen =
        runner()
            .run(
                spec("a tower").seed(3L).upscale(2, UPSCALER.toString(), 0.5, 2, null).build(),
                JobContext.of(OutputSink.folder(out.resolve("hires"))));
    JobResult.Image hires = gen.images().get(0);
    assertThat(hires.width()).isEqualTo(128);
    assertThat(ImageIO.read(hires.file().toFile()).getHeight()).isEqualTo(128);
    assertThat(hires.upscale().model()).isEqualTo("tiny-x2-even");
    assertThat(PngText.read(hires.file()).get(ArtworkPng.PARAMETERS))
        .contains("Hires upscale: 2", "Denoising strength: 0.5");

    // An upscale job keeps the input's chunks and adds its own record; the sink names it.
    JobResult up =
        runner()
            .run(
                new UpscaleSpec(
                    hires.file().toString(), null, 2, UPSCALER.toString(), null, null, null, null),
                JobContext.of(OutputSink.folder(out.resolve("up"))));
    Path file = up.images().get(0).file();
    assertThat(file.getFileName().toString()).isEqualTo("00001-3-x2.png");
    assertThat(ImageIO.read(file.toFile()).getWidth()).isEqualTo(256);
    Map<String, String> texts = PngText.read(file);
    assertThat(texts.get(ArtworkPng.PARAMETERS)).startsWith("a tower");
    assertThat(UpscalePng.records(texts)).hasSize(2);

    // The same from the file's bytes (an upload), into one exact file.
    JobResult fromBytes =
        runner()
            .run(
                new UpscaleSpec(
                    null,
                    Files.readAllBytes(hires.file()),
                    2,
                    UPSCALER.toString(),
                    null,
                    null,
                    null,
                    null),
                JobContext.of(OutputSink.file(out.resolve("exact.png"))));
    assertThat(fromBytes.images().get(0).file()).isEqualTo(out.resolve("exact.png"));
    BufferedImage exact = ImageIO.read(out.resolve("exact.png").toFile());
    BufferedImage named = ImageIO.read(file.toFile());
    assertThat(exact.getRGB(0, 0, 256, 256, null, 0, 256))
        .isEqualTo(named.getRGB(0, 0, 256, 256, null, 0, 256));
    assertThat(PngText.read(out.resolve("exact.png")).get(ArtworkPng.PARAMETERS))
        .isEqualTo(texts.get(ArtworkPng.PARAMETERS));
  }

  @Test
  void anUnreadableUploadIsABadRequestAndWritesNothing(@TempDir Path out) {
    assertThatThrownBy(
            () ->
                runner()
                    .run(
                        new UpscaleSpec(
                            null,
                            new byte[] {1, 2, 3},
                            2,
                            UPSCALER.toString(),
                            null,
                            null,
                            null,
                            null),
                        JobContext.of(OutputSink.folder(out.resolve("o")))))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "uploaded image: expected a PNG, JPEG, BMP or GIF image, found an unreadable file");
    assertThat(out.resolve("o")).doesNotExist();
  }

  @Test
  void aSweepJobWritesEveryCellAndTheGrid(@TempDir Path out) throws Exception {
    SweepSpec sweep =
        new SweepSpec(
            "a lighthouse",
            "seed=1..2",
            "steps=1,2",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            64,
            64,
            null,
            null,
            null,
            null,
            SD15.toString());
    List<Path> heard = new java.util.ArrayList<>();
    JobEvents events =
        new JobEvents() {
          @Override
          public void cell(atelier.recipe.Sweep.Cell cell, Path file) {
            heard.add(file);
          }
        };
    JobResult r = runner().run(sweep, new JobContext(null, null, OutputSink.folder(out), events));
    assertThat(r.images()).hasSize(4);
    assertThat(heard).isEqualTo(r.images().stream().map(JobResult.Image::file).toList());
    assertThat(r.files()).containsExactly(out.resolve("sweep-grid.png"));
    assertThat(r.images().get(3).file()).isEqualTo(out.resolve("sweep-y2-x2.png"));
    assertThat(ArtworkPng.read(r.images().get(3).file()).settings().seed()).isEqualTo(2);
  }

  @Test
  void aRecipeJobRunsThePlanAndSaysWhatItDidDifferently(@TempDir Path out) throws Exception {
    RecipeSpec spec =
        new RecipeSpec(
            "phone-wallpaper",
            Map.of(
                "generate.base",
                "64",
                "generate.steps",
                "2",
                "upscale.width",
                "90",
                "upscale.height",
                "200"),
            null,
            null,
            null,
            SD15.toString());
    RecipeSpec prepared = (RecipeSpec) runner().prepare(spec);
    assertThat(prepared.seed()).isNotNull();
    JobResult r = runner().run(prepared, JobContext.of(OutputSink.folder(out)));
    assertThat(r.images()).hasSize(1);
    JobResult.Image img = r.images().get(0);
    // The recipe keeps the best of its batch (seeds S, S+1, …), named by its own seed.
    assertThat(img.seed()).isBetween(prepared.seed(), prepared.seed() + 7);
    assertThat(img.file()).isEqualTo(out.resolve("phone-wallpaper-" + img.seed() + ".png"));
    assertThat(img.width()).isEqualTo(90);
    assertThat(img.height()).isEqualTo(200);
    assertThat(img.record().settings().width()).isEqualTo(64);
    // A recipe with its own seed keeps it: prepare draws none.
    RecipeSpec ownSeed =
        new RecipeSpec("phone-wallpaper", Map.of("generate.seed", "77"), null, null, null, null);
    assertThat(((RecipeSpec) runner().prepare(ownSeed)).seed()).isNull();
    assertThat(runner().planRecipe(ownSeed, out).get(0).request().seed()).isEqualTo(77L);
    assertThatThrownBy(
            () -> runner().prepare(new RecipeSpec("no-such", null, null, null, 1L, null)))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("recipe: expected a recipe name (");
  }

  @Test
  void aRecipeJobUpscalesWithTheInstalledNetwork(@TempDir Path dir) throws Exception {
    Path installed = dir.resolve("home/models/tiny-x2");
    Files.createDirectories(installed);
    Files.copy(UPSCALER, installed.resolve("model.onnx"));
    Files.writeString(installed.resolve(".atelier-manifest.json"), "{\"kind\":\"upscaler\"}");
    AtelierHome h = AtelierHome.at(dir.resolve("home"));
    JobRunner withNetwork =
        new JobRunner(
            h, CPU, cache, new ModelResolver(h, Map.of(), ModelResolver.Downloads.of(false)));
    RecipeSpec spec =
        new RecipeSpec(
            "phone-wallpaper",
            Map.of(
                "generate.base",
                "64",
                "generate.steps",
                "1",
                "upscale.width",
                "90",
                "upscale.height",
                "200"),
            null,
            null,
            4L,
            SD15.toString());
    List<String> stages = new java.util.ArrayList<>();
    List<Path> wrote = new java.util.ArrayList<>();
    JobEvents events =
        new JobEvents() {
          @Override
          public void stage(
              atelier.recipe.Job job,
              int index,
              int count,
              atelier.recipe.RecipeRunner.Stage stage,
              String detail) {
            stages.add(detail);
          }

          @Override
          public void wrote(atelier.recipe.RecipeRunner.Output output) {
            wrote.add(output.file());
          }
        };
    JobResult r =
        withNetwork.run(
            spec, new JobContext(null, null, OutputSink.folder(dir.resolve("out")), events));
    Path file = r.images().get(0).file();
    assertThat(atelier.recipe.ProvenancePng.read(file).orElseThrow().upscaler())
        .isEqualTo("tiny-x2"); // the network actually used, as recipes record it
    assertThat(ImageIO.read(file.toFile()).getWidth()).isEqualTo(90);
    // The front end hears each stage and each written file as it happens.
    assertThat(wrote).containsExactly(file);
    assertThat(stages).anyMatch(d -> d.startsWith("upscale seed 4"));

    // A recipe that asks for Lanczos gets Lanczos even with a network installed.
    Map<String, String> lanczos = new java.util.HashMap<>(spec.sets());
    lanczos.put("upscale.method", "lanczos");
    JobResult lz =
        withNetwork.run(
            new RecipeSpec("phone-wallpaper", lanczos, null, null, 4L, SD15.toString()),
            JobContext.of(OutputSink.folder(dir.resolve("lz"))));
    assertThat(
            atelier.recipe.ProvenancePng.read(lz.images().get(0).file()).orElseThrow().upscaler())
        .isNotEqualTo("tiny-x2");
  }

  @Test
  void aModelThatIsNotThereFailsAsAModelLoadAndWritesNothing(@TempDir Path out) throws Exception {
    assertThatThrownBy(
            () ->
                runner()
                    .run(
                        GenerateSpec.builder("x").model(out.resolve("missing").toString()).build(),
                        JobContext.of(OutputSink.folder(out.resolve("o")))))
        .isInstanceOf(ModelLoadException.class);
    assertThatThrownBy(
            () ->
                runner()
                    .run(
                        GenerateSpec.builder("x").model("no-such-id").build(),
                        JobContext.of(OutputSink.folder(out.resolve("o")))))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith(
            "model: expected a model folder, an installed model id or a catalog id")
        .hasMessageEndingWith("found 'no-such-id'");
    assertThat(out.resolve("o")).doesNotExist();
  }
}

package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.CancelledException;
import atelier.Progress;
import atelier.ProgressListener;
import atelier.diffusion.SchedulerKind;
import atelier.model.SessionSettings;
import atelier.testing.TestPaths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Behaviour of a generation run on a tiny model: seeds, batches, prompts, symmetry, progress. */
class GenerationTest {
  private static StableDiffusion sd;

  @BeforeAll
  static void load() {
    sd = StableDiffusion.load(TestPaths.tinyModel("sd15-optimum-1.22"), SessionSettings.CPU);
  }

  @AfterAll
  static void close() {
    sd.close();
  }

  private static GenerationRequest.Builder request(String prompt) {
    return GenerationRequest.builder(prompt)
        .steps(3)
        .scheduler(SchedulerKind.EULER)
        .guidance(7.5)
        .seed(42L);
  }

  private static GenerationResult run(GenerationRequest r) {
    return sd.generate(r, ProgressListener.NONE, CancelToken.NONE);
  }

  @Test
  void eachImageOfABatchIsBitIdenticalToMakingItAlone() {
    GenerationResult batch = run(request("a castle").batch(2).build());
    GenerationResult alone = run(request("a castle").seed(43L).build());
    assertThat(batch.images()).hasSize(2);
    Artwork second = batch.images().get(1);
    assertThat(second.record().settings().seed()).isEqualTo(43);
    assertThat(second.record().settings().batch()).isEqualTo(1);
    assertThat(second.record().batchSeed()).isEqualTo(42);
    assertThat(second.latents()).isEqualTo(alone.images().get(0).latents());
    assertThat(batch.images().get(0).latents()).isNotEqualTo(second.latents());
  }

  @Test
  void aRandomSeedIsChosenAndRecordedWhenNoneIsGiven() {
    GenerationResult r = run(request("a cat").seed(null).build());
    long seed = r.images().get(0).record().settings().seed();
    assertThat(seed).isBetween(0L, 0xFFFF_FFFFL);
    assertThat(run(request("a cat").seed(seed).build()).images().get(0).latents())
        .isEqualTo(r.images().get(0).latents());
  }

  @Test
  void promptSyntaxChangesTheConditioning() {
    float[] plain = run(request("a photo of a cat").build()).images().get(0).latents();
    float[] emphasis = run(request("a photo of a (cat:1.5)").build()).images().get(0).latents();
    float[] composed = run(request("a photo:1 | a cat:2").build()).images().get(0).latents();
    assertThat(emphasis).isNotEqualTo(plain);
    assertThat(composed).isNotEqualTo(plain);
    String longPrompt = "a lighthouse on a cliff, ".repeat(20);
    GenerationResult twoChunks = run(request(longPrompt).negativePrompt("blurry").build());
    assertThat(twoChunks.images().get(0).record().truncated()).isEmpty();
  }

  @Test
  void horizontalSymmetryForAllStepsGivesMirroredLatents() {
    GenerationRequest r = request("a castle").symmetry(new Symmetry(true, false, 1)).build();
    float[] lat = run(r).images().get(0).latents();
    int w = 8;
    for (int c = 0; c < 4; c++) {
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < w / 2; x++) {
          int row = c * 64 + y * w;
          assertThat(lat[row + w - 1 - x]).isEqualTo(lat[row + x]);
        }
      }
    }
  }

  @Test
  void reportsProgressForEveryStepAndStopsWhenCancelled() {
    List<Progress> seen = new ArrayList<>();
    run(request("x").steps(4).build()); // warm
    sd.generate(request("x").steps(4).build(), seen::add, CancelToken.NONE);
    assertThat(seen.stream().filter(p -> p.stage() == Progress.Stage.DENOISE))
        .extracting(Progress::step)
        .containsExactly(1, 2, 3, 4);
    CancelToken token = new CancelToken();
    assertThatThrownBy(
            () ->
                sd.generate(
                    request("x").steps(4).build(),
                    p -> {
                      if (p.stage() == Progress.Stage.DENOISE && p.step() == 2) {
                        token.cancel();
                      }
                    },
                    token))
        .isInstanceOf(CancelledException.class);
  }

  @Test
  void badCombinationsFailBeforeAnyModelWork() {
    assertThatThrownBy(() -> run(request("x").eta(0.5).build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("eta");
    assertThatThrownBy(
            () ->
                run(
                    request("x")
                        .steps(4)
                        .init(new InitImage(new java.awt.image.BufferedImage(64, 64, 1), "m", "0"))
                        .strength(0.1)
                        .build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("strength");
  }

  @Test
  void theRequestRecordValidatesItsFields() {
    assertThatThrownBy(() -> request("x").size(100, 64).build())
        .isInstanceOf(BadRequestException.class)
        .hasMessage("width: expected a multiple of 8 from 8 to 8192 pixels, found 100");
    assertThatThrownBy(() -> request("x").steps(0).build())
        .hasMessage("steps: expected 1 to 1000, found 0");
    assertThatThrownBy(() -> request("x").strength(0.5).build())
        .hasMessageContaining("expected an init image (--init), found none");
    assertThatThrownBy(() -> request("x").batch(0).build())
        .hasMessage("batch: expected 1 to 64 images, found 0");
  }
}

package atelier.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Hand-computed cases of classifier-free and composable guidance. */
class GuidanceTest {

  @Test
  void singlePromptIsDiffusersClassifierFreeGuidance() {
    float[] out =
        Guidance.combine(new float[] {1, 2}, new float[][] {{3, 0}}, new double[] {1}, 7.5);
    // 1 + 7.5·(3−1) = 16, 2 + 7.5·(0−2) = −13
    assertThat(out).containsExactly(16f, -13f);
  }

  @Test
  void weightedPromptsComposeAndNegativeWeightsRepel() {
    float[] u = {0, 0};
    float[][] c = {{1, 0}, {0, 1}, {1, 1}};
    double[] w = {2, 1, -1};
    float[] out = Guidance.combine(u, c, w, 3);
    // 3·(2·(1,0) + 1·(0,1) − 1·(1,1)) = 3·(1, 0)
    assertThat(out[0]).isCloseTo(3f, within(1e-6f));
    assertThat(out[1]).isCloseTo(0f, within(1e-6f));
  }

  @Test
  void withoutGuidanceThePredictionsAreMixedByNormalisedWeight() {
    float[] out = Guidance.combine(null, new float[][] {{4, 0}, {0, 4}}, new double[] {3, 1}, 0);
    assertThat(out[0]).isCloseTo(3f, within(1e-6f));
    assertThat(out[1]).isCloseTo(1f, within(1e-6f));
    assertThat(Guidance.combine(null, new float[][] {{5, 6}}, new double[] {1}, 0))
        .containsExactly(5f, 6f);
  }

  @Test
  void rejectsMismatchedWeightsAndZeroSums() {
    assertThatThrownBy(() -> Guidance.combine(null, new float[][] {{1}}, new double[] {1, 2}, 1))
        .hasMessageContaining("one weight per prediction")
        .hasMessageContaining("found 1 predictions and 2 weights");
    assertThatThrownBy(
            () -> Guidance.combine(null, new float[][] {{1}, {2}}, new double[] {1, -1}, 1))
        .hasMessageContaining("must not sum to 0");
  }
}

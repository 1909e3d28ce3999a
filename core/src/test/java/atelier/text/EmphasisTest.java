package atelier.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import atelier.BadRequestException;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class EmphasisTest {
  /**
   * A1111's {@code EmphasisOriginal.after_transformers} (sd_emphasis.py), run by {@code
   * tools/text/a1111_reference.py} on pseudo-random float32 encoder outputs [77, 8] with the
   * weights its chunker gave real prompts ({@code text/a1111_emphasis.json}). torch takes the means
   * in float32, we in double: agreement to a few float32 ulps, not bit-exact.
   */
  @Test
  void originalMatchesA1111OnRealChunkWeights() {
    JsonNode cases = ReferenceFiles.json("a1111_emphasis.json").get("cases");
    assertThat(cases).hasSize(3);
    for (JsonNode c : cases) {
      float[] hidden = ReferenceFiles.floats(c.get("before"));
      float[] weights = ReferenceFiles.floats(c.get("weights"));
      float[] expected = ReferenceFiles.floats(c.get("after"));
      int dim = c.get("dim").intValue();
      assertThat(weights).hasSize(77).contains(1f).doesNotContain(Float.NaN);
      Emphasis.apply(hidden, 77, dim, weights);
      for (int i = 0; i < hidden.length; i++) {
        assertThat(hidden[i])
            .as("%s, element %d", c.get("prompt").textValue(), i)
            .isCloseTo(expected[i], within(2e-6f * Math.max(1f, Math.abs(expected[i]))));
      }
    }
  }

  /**
   * Worked by hand: rows [1, 2] and [3, 6], weights 2 and 1. Mean before = 12/4 = 3. Weighted rows
   * [2, 4] and [3, 6]: mean 15/4 = 3.75. Ratio 3/3.75 = 0.8: [1.6, 3.2, 2.4, 4.8].
   */
  @Test
  void originalRestoresTheMeanOverTheWholeChunk() {
    float[] h = {1, 2, 3, 6};
    Emphasis.apply(h, 2, 2, new float[] {2, 1});
    assertThat(h).containsExactly(new float[] {1.6f, 3.2f, 2.4f, 4.8f}, within(1e-6f));
  }

  @Test
  void modesAndOffsetsWorkOnOneChunkOfABatch() {
    // Two chunks [2 tokens x 2 dims] back to back; only the second is touched.
    float[] h = {9, 9, 9, 9, 1, 2, 3, 6};
    Emphasis.ORIGINAL.applyTo(h, 4, 2, 2, new float[] {2, 1});
    assertThat(h).containsExactly(new float[] {9, 9, 9, 9, 1.6f, 3.2f, 2.4f, 4.8f}, within(1e-6f));

    float[] n = {1, 2, 3, 6};
    Emphasis.NO_NORM.applyTo(n, 0, 2, 2, new float[] {2, 0.5f});
    assertThat(n).containsExactly(2, 4, 1.5f, 3);

    float[] i = {1, 2, 3, 6};
    Emphasis.IGNORE.applyTo(i, 0, 2, 2, new float[] {2, 0.5f});
    assertThat(i).containsExactly(1, 2, 3, 6);
  }

  @Test
  void unweightedChunksAndZeroMeansAreLeftAlone() {
    float[] h = {1, -2, 3.5f, 0.25f};
    Emphasis.apply(h, 2, 2, new float[] {1, 1});
    assertThat(h).containsExactly(1, -2, 3.5f, 0.25f);
    // Weighted mean (2 - 2) / 2 = 0: A1111 would produce inf/NaN; we keep the weighted values.
    float[] z = {1, 1};
    Emphasis.apply(z, 2, 1, new float[] {2, -2});
    assertThat(z).containsExactly(2, -2);
  }

  @Test
  void shapesAreChecked() {
    assertThatThrownBy(() -> Emphasis.apply(new float[4], 2, 2, new float[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one weight per token (2), found 3");
    assertThatThrownBy(() -> Emphasis.ORIGINAL.applyTo(new float[4], 2, 2, 2, new float[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not fit in 4 floats");
  }

  @Test
  void lookupAcceptsA1111NamesAndListsValidOnes() {
    assertThat(Emphasis.lookup("No norm")).isEqualTo(Emphasis.NO_NORM);
    assertThat(Emphasis.lookup("NO_NORM")).isEqualTo(Emphasis.NO_NORM);
    assertThat(Emphasis.lookup("Original")).isEqualTo(Emphasis.ORIGINAL);
    assertThatThrownBy(() -> Emphasis.lookup("loud"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("\"loud\"")
        .hasMessageContaining("original, no-norm, ignore");
  }
}

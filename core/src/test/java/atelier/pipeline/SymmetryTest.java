package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SymmetryTest {

  @Test
  void horizontalMirrorsTheLeftHalfOntoTheRight() {
    float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
    new Symmetry(true, false, 1).apply(x, 1, 2, 4);
    assertThat(x).containsExactly(1, 2, 2, 1, 5, 6, 6, 5);
  }

  @Test
  void verticalMirrorsTheTopHalfOntoTheBottomPerChannel() {
    float[] x = {1, 2, 3, 4, 5, 6, /* channel 2 */ 7, 8, 9, 10, 11, 12};
    new Symmetry(false, true, 1).apply(x, 2, 3, 2);
    assertThat(x).containsExactly(1, 2, 3, 4, 1, 2, 7, 8, 9, 10, 7, 8);
  }

  @Test
  void oddWidthsKeepTheMiddleColumn() {
    float[] x = {1, 2, 3, 4, 5};
    new Symmetry(true, false, 1).apply(x, 1, 1, 5);
    assertThat(x).containsExactly(1, 2, 3, 2, 1);
  }

  @Test
  void activeForTheRequestedShareOfSteps() {
    Symmetry s = new Symmetry(true, true, 0.5);
    assertThat(s.activeAfter(0, 10)).isTrue();
    assertThat(s.activeAfter(5, 10)).isTrue();
    assertThat(s.activeAfter(6, 10)).isFalse();
  }

  @Test
  void rejectsNoAxesAndBadFractions() {
    assertThatThrownBy(() -> new Symmetry(false, false, 0.5)).hasMessageContaining("found neither");
    assertThatThrownBy(() -> new Symmetry(true, false, 0)).hasMessageContaining("found 0.0");
    assertThatThrownBy(() -> new Symmetry(true, false, 1.5)).hasMessageContaining("found 1.5");
  }
}

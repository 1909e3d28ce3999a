package atelier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The calibration graphs compute what they claim (checked against plain loops at a small size), so
 * the GFLOP/s the harness prints are for the work it counts.
 */
class CalibrationBenchmarkTest {
  private static final SessionSettings CPU = SessionSettings.CPU.withoutGraphCache();

  @Test
  void theConvolutionIsA3x3SamePaddedConvolution() {
    int b = 2;
    int c = 3;
    int s = 4;
    CalibrationBenchmark.Work work = CalibrationBenchmark.convolution(b, c, s);
    assertThat(work.flop()).isEqualTo(2.0 * b * c * s * s * c * 9);
    float[] x = work.feed().get("x").floatData();
    float[] w = CalibrationBenchmark.convolutionWeights(c);
    float[] y = run(work);
    for (int n = 0; n < b; n++) {
      for (int o = 0; o < c; o++) {
        for (int i = 0; i < s; i++) {
          for (int j = 0; j < s; j++) {
            double sum = 0;
            for (int k = 0; k < c; k++) {
              for (int di = -1; di <= 1; di++) {
                for (int dj = -1; dj <= 1; dj++) {
                  int ii = i + di;
                  int jj = j + dj;
                  if (ii >= 0 && ii < s && jj >= 0 && jj < s) {
                    sum +=
                        x[((n * c + k) * s + ii) * s + jj]
                            * w[((o * c + k) * 3 + di + 1) * 3 + dj + 1];
                  }
                }
              }
            }
            assertThat(y[((n * c + o) * s + i) * s + j]).isCloseTo((float) sum, within(1e-4f));
          }
        }
      }
    }
  }

  @Test
  void theMatMulMultipliesByTheConstantMatrix() {
    int n = 5;
    CalibrationBenchmark.Work work = CalibrationBenchmark.matMul(n);
    assertThat(work.flop()).isEqualTo(2.0 * n * n * n);
    float[] a = work.feed().get("a").floatData();
    float[] b = CalibrationBenchmark.matMulWeights(n);
    float[] y = run(work);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
          sum += a[i * n + k] * b[k * n + j];
        }
        assertThat(y[i * n + j]).isCloseTo((float) sum, within(1e-4f));
      }
    }
  }

  private static float[] run(CalibrationBenchmark.Work work) {
    try (OnnxModel m = OnnxModel.open("test", work.graph(), Path.of("calibration.onnx"), CPU)) {
      return m.run(work.feed(), work.output()).get(work.output()).floatData();
    }
  }
}

package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.CancelledException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Closing a model from one thread while another runs it: the session is never freed under the
 * running call (before the fix: a use-after-free inside libonnxruntime.so). The run is stopped
 * (CancelledException) or, if it was between calls, its next call is refused; close returns only
 * after the run has left.
 */
class OnnxModelCloseTest {
  // Big enough that one run takes tens of milliseconds even on an idle machine, so a close a few
  // milliseconds after the run starts lands inside it (with 256 and 8 layers an idle machine
  // finished each run before the close came, and no close ever stopped a call mid-run).
  private static final int N = 512;

  @Test
  void closeStopsARunningCallAndWaitsForIt() throws Exception {
    byte[] graph = NativeExitProbe.heavyGraph(N, 16);
    Tensor x = Tensor.floats(new float[N * N], N, N);
    List<Throwable> endings = new ArrayList<>();
    for (int round = 0; round < 8; round++) {
      OnnxModel m = OnnxModel.open("heavy", graph, Path.of("heavy.onnx"), SessionSettings.CPU);
      AtomicReference<Throwable> ended = new AtomicReference<>();
      CountDownLatch running = new CountDownLatch(1);
      Thread runner =
          new Thread(
              () -> {
                try {
                  while (true) {
                    running.countDown();
                    m.run(Map.of("x", x), "y");
                  }
                } catch (Throwable t) {
                  ended.set(t);
                }
              });
      runner.start();
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(5L + 2L * round);
      m.close();
      assertThat(OrtRuntime.GATE.inside())
          .as("no thread is inside ONNX Runtime once close has returned")
          .isZero();
      runner.join(10_000);
      Throwable t = ended.get();
      assertThat(t).isInstanceOfAny(CancelledException.class, IllegalStateException.class);
      if (t instanceof CancelledException) {
        assertThat(t).hasMessage("heavy: stopped while running (the model was closed)");
      } else {
        assertThat(t).hasMessageContaining("heavy (heavy.onnx) is closed");
      }
      endings.add(t);
      assertThatThrownBy(() -> m.run(Map.of("x", x), "y"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is closed");
      m.close(); // idempotent
    }
    assertThat(endings)
        .as("at least one close stopped a call mid-run")
        .anyMatch(CancelledException.class::isInstance);
  }
}

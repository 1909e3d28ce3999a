package atelier.model;

import atelier.testing.TinyGraphs;
import java.nio.file.Path;
import java.util.Map;

/**
 * Ends the JVM while other threads are inside ONNX Runtime: three threads create sessions of a
 * generated graph (eight 512×512 MatMuls with 1 MiB of weights each) and run them in a loop, and
 * {@code main} exits after {@code args[0]} ms. A reproduction, run by hand (docs/native.md): it
 * still crashes in {@code createSession} in about one run in four, so no test runs it. {@link
 * #heavyGraph} serves the tests.
 */
public final class NativeExitProbe {
  private NativeExitProbe() {}

  static byte[] heavyGraph(int n, int layers) {
    TinyGraphs g = new TinyGraphs().input("x", 2);
    String prev = "x";
    for (int i = 0; i < layers; i++) {
      float[] w = new float[n * n];
      for (int k = 0; k < w.length; k++) {
        w[k] = ((k * 7919 + i) % 1000) / 1000f / n;
      }
      g.initializer("w" + i, w, n, n);
      String out = i == layers - 1 ? "y" : "h" + i;
      g.node("MatMul", new String[] {prev, "w" + i}, out);
      prev = out;
    }
    return g.output("y", 2).build();
  }

  /** {@code args}: milliseconds before exit. */
  public static void main(String[] args) throws InterruptedException {
    int n = 512;
    byte[] graph = heavyGraph(n, 8);
    Tensor x = Tensor.floats(new float[n * n], n, n);
    for (int i = 0; i < 3; i++) {
      Thread t =
          new Thread(
              () -> {
                while (true) {
                  try (OnnxModel m =
                      OnnxModel.open("heavy", graph, Path.of("heavy.onnx"), SessionSettings.CPU)) {
                    for (int r = 0; r < 2; r++) {
                      m.run(Map.of("x", x), "y");
                    }
                  } catch (RuntimeException e) {
                    return; // refused or stopped at exit: fine, as long as nothing crashes
                  }
                }
              });
      t.setDaemon(true);
      t.start();
    }
    Thread.sleep(Long.parseLong(args[0]));
    System.out.println("exiting");
    System.exit(0);
  }
}

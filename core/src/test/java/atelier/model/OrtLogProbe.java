package atelier.model;

import atelier.InferenceException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs a graph with inputs it rejects (a 3×5 matrix into a 4×4 MatMul) and prints Atelier's
 * exception; {@link OrtLogTest} checks what ONNX Runtime itself printed.
 */
public final class OrtLogProbe {
  private OrtLogProbe() {}

  public static void main(String[] args) {
    try (OnnxModel m =
        OnnxModel.open(
            "matmul",
            NativeExitProbe.heavyGraph(4, 1),
            Path.of("matmul.onnx"),
            SessionSettings.CPU)) {
      m.run(Map.of("x", Tensor.floats(new float[15], 3, 5)), "y");
      System.out.println("no failure");
    } catch (InferenceException e) {
      System.out.println("caught: " + e.getMessage());
    }
  }
}

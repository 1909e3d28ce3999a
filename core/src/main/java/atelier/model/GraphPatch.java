package atelier.model;

import java.nio.file.Path;
import java.util.List;

/**
 * A graph file with some weights changed in memory only (e.g. a LoRA merged at load): weights
 * stored inside the graph are patched in a copy of its bytes, weights in external data files are
 * handed to ONNX Runtime as {@link WeightOverride}s. Nothing on disk changes.
 *
 * <p>Sessions made from a patch differ from the file's own: a session or optimised-graph cache must
 * key on the patch or bypass it ({@link #isEmpty()} says when it is the plain file).
 *
 * @param file the graph file
 * @param graph the patched graph bytes, or null when the graph itself is unchanged
 * @param external replaced external-data weights
 */
public record GraphPatch(Path file, byte[] graph, List<WeightOverride> external) {
  public GraphPatch {
    external = List.copyOf(external);
  }

  /** The file as it is. */
  public static GraphPatch none(Path file) {
    return new GraphPatch(file, null, List.of());
  }

  /** True when nothing is patched. */
  public boolean isEmpty() {
    return graph == null && external.isEmpty();
  }

  /**
   * Opens a session over the patched graph; a patched graph bypasses the optimised-graph cache (an
   * entry per set of merged weights would cost a copy of the weights on disk each).
   */
  public OnnxModel open(String stage, SessionSettings settings) {
    return OnnxModel.open(
        stage, file, graph, isEmpty() ? settings : settings.withoutGraphCache(), external);
  }
}

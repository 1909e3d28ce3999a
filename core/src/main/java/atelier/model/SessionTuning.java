package atelier.model;

import atelier.BadRequestException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ONNX Runtime's CPU session levers beyond the intra-op thread count, for measuring what each does
 * (docs/benchmarks.md, "Session options"). {@link #DEFAULT} is what every session used before these
 * were settable; a lever at its default leaves ONNX Runtime's own setting untouched.
 *
 * @param interOpThreads threads running independent nodes at once; 1 runs nodes one after another
 *     (sequential execution), more switches to ONNX Runtime's parallel execution mode
 * @param spinning whether idle intra-op and inter-op threads spin waiting for work ({@code
 *     session.intra_op.allow_spinning}, {@code session.inter_op.allow_spinning}; ONNX Runtime's
 *     default: on)
 * @param arena whether the CPU memory arena keeps freed blocks for reuse (default: on)
 * @param memoryPattern whether ONNX Runtime plans a run's allocations from the previous run of the
 *     same shapes (default: on)
 * @param prepacking whether weights are pre-packed into the kernels' layouts at load ({@code
 *     session.disable_prepacking}; default: on): faster steps, more memory
 */
public record SessionTuning(
    int interOpThreads,
    boolean spinning,
    boolean arena,
    boolean memoryPattern,
    boolean prepacking) {

  /** Sequential execution, ONNX Runtime's defaults otherwise. */
  public static final SessionTuning DEFAULT = new SessionTuning(1, true, true, true, true);

  public SessionTuning {
    if (interOpThreads < 1 || interOpThreads > SessionSettings.MAX_THREADS) {
      throw new BadRequestException(
          "inter-op threads: expected 1 to "
              + SessionSettings.MAX_THREADS
              + ", found "
              + interOpThreads);
    }
  }

  public SessionTuning withInterOpThreads(int threads) {
    return new SessionTuning(threads, spinning, arena, memoryPattern, prepacking);
  }

  public SessionTuning withSpinning(boolean on) {
    return new SessionTuning(interOpThreads, on, arena, memoryPattern, prepacking);
  }

  public SessionTuning withArena(boolean on) {
    return new SessionTuning(interOpThreads, spinning, on, memoryPattern, prepacking);
  }

  public SessionTuning withMemoryPattern(boolean on) {
    return new SessionTuning(interOpThreads, spinning, arena, on, prepacking);
  }

  public SessionTuning withPrepacking(boolean on) {
    return new SessionTuning(interOpThreads, spinning, arena, memoryPattern, on);
  }

  /** Whether nodes run in ONNX Runtime's parallel execution mode ({@code interOpThreads > 1}). */
  public boolean parallel() {
    return interOpThreads > 1;
  }

  /**
   * The session config entries these levers set, in a fixed order; empty at the defaults, so a
   * default session is configured exactly as before.
   */
  public Map<String, String> configEntries() {
    Map<String, String> m = new LinkedHashMap<>();
    if (!spinning) {
      m.put("session.intra_op.allow_spinning", "0");
      m.put("session.inter_op.allow_spinning", "0");
    }
    if (!prepacking) {
      m.put("session.disable_prepacking", "1");
    }
    return m;
  }

  /** A one-line summary for benchmark output, e.g. {@code inter-op 1, spin on, arena on, …}. */
  public String describe() {
    return "inter-op "
        + interOpThreads
        + ", spin "
        + onOff(spinning)
        + ", arena "
        + onOff(arena)
        + ", memory pattern "
        + onOff(memoryPattern)
        + ", prepack "
        + onOff(prepacking);
  }

  private static String onOff(boolean b) {
    return b ? "on" : "off";
  }
}

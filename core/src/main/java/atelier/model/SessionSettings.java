package atelier.model;

import atelier.BadRequestException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How ONNX Runtime sessions are made: the device, thread counts and where optimised graphs are
 * cached.
 *
 * @param device where the graphs run
 * @param intraOpThreads threads inside one operator, at most {@link #MAX_THREADS}; 0 lets ONNX
 *     Runtime use one per physical core
 * @param cudaDeviceId which GPU, for {@link Device#CUDA}
 * @param graphCache the folder of ONNX Runtime's optimised graphs, so a second load of a model
 *     skips graph optimisation; null for none. The three-argument constructor uses Atelier's cache
 *     folder ({@code ort-graphs} there, {@code $ATELIER_GRAPH_CACHE}, {@code off} for none). Used
 *     on CPU only.
 * @param fusedAttention whether graphs are loaded with their attention subgraphs fused into ONNX
 *     Runtime's {@code MultiHeadAttention} ({@link AttentionFusion}); on by default
 * @param tuning inter-op threads, spinning, memory arena and pattern, weight pre-packing ({@link
 *     SessionTuning#DEFAULT} unless a benchmark changes them)
 */
public record SessionSettings(
    Device device,
    int intraOpThreads,
    int cudaDeviceId,
    Path graphCache,
    boolean fusedAttention,
    SessionTuning tuning) {

  /**
   * The most threads per operator: ONNX Runtime starts them all when a session opens, so a huge
   * count only stalls the machine (100000 never finished loading).
   */
  public static final int MAX_THREADS = 256;

  /** CPU with ONNX Runtime's thread defaults. */
  public static final SessionSettings CPU = new SessionSettings(Device.CPU, 0, 0);

  /**
   * Settings with the default graph cache ({@link GraphCache#defaultFolder}) and the default
   * attention ({@link #defaultFusedAttention}).
   */
  public SessionSettings(Device device, int intraOpThreads, int cudaDeviceId) {
    this(device, intraOpThreads, cudaDeviceId, GraphCache.defaultFolder(), defaultFusedAttention());
  }

  /**
   * Whether attention is fused by default: yes, unless the system property {@code
   * atelier.attention} or the environment variable {@code ATELIER_ATTENTION} says {@code standard}.
   * Measured on the full-size SD 1.5 UNet at 512² (docs/benchmarks.md): half the peak memory and a
   * faster guided step; outputs equal to 1e-4 ({@code AttentionFusionTest}).
   *
   * @throws BadRequestException for a value other than {@code fused} or {@code standard}
   */
  public static boolean defaultFusedAttention() {
    String set = System.getProperty("atelier.attention", System.getenv("ATELIER_ATTENTION"));
    if (set == null || set.isBlank() || set.strip().equalsIgnoreCase("fused")) {
      return true;
    }
    if (set.strip().equalsIgnoreCase("standard")) {
      return false;
    }
    throw new BadRequestException(
        "attention (atelier.attention / ATELIER_ATTENTION): expected fused or standard, found \""
            + set
            + "\"");
  }

  /** Settings with the default {@link SessionTuning}. */
  public SessionSettings(
      Device device,
      int intraOpThreads,
      int cudaDeviceId,
      Path graphCache,
      boolean fusedAttention) {
    this(device, intraOpThreads, cudaDeviceId, graphCache, fusedAttention, SessionTuning.DEFAULT);
  }

  public SessionSettings {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(tuning, "tuning");
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException(
          "intraOpThreads: expected 0 (automatic) or more, found " + intraOpThreads);
    }
    if (intraOpThreads > MAX_THREADS) {
      throw new BadRequestException(
          "threads: expected at most " + MAX_THREADS + " per operator, found " + intraOpThreads);
    }
    if (cudaDeviceId < 0) {
      throw new IllegalArgumentException("cudaDeviceId: expected 0 or more, found " + cudaDeviceId);
    }
  }

  /** The default settings for a device. */
  public static SessionSettings of(Device device) {
    return new SessionSettings(device, 0, 0);
  }

  /** These settings with the optimised-graph cache in {@code folder} (null: none). */
  public SessionSettings withGraphCache(Path folder) {
    return new SessionSettings(
        device, intraOpThreads, cudaDeviceId, folder, fusedAttention, tuning);
  }

  /** These settings with attention fusion on or off. */
  public SessionSettings withFusedAttention(boolean fused) {
    return new SessionSettings(device, intraOpThreads, cudaDeviceId, graphCache, fused, tuning);
  }

  /** These settings with ONNX Runtime's session levers set to {@code t}. */
  public SessionSettings withTuning(SessionTuning t) {
    return new SessionSettings(device, intraOpThreads, cudaDeviceId, graphCache, fusedAttention, t);
  }

  /** These settings with {@code n} threads per operator (0: one per physical core). */
  public SessionSettings withIntraOpThreads(int n) {
    return new SessionSettings(device, n, cudaDeviceId, graphCache, fusedAttention, tuning);
  }

  /**
   * These settings without the optimised-graph cache: for sessions whose graph is not the file's
   * alone, e.g. with initializers overridden at load (LoRA).
   */
  public SessionSettings withoutGraphCache() {
    return withGraphCache(null);
  }
}

package atelier.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import atelier.CancelledException;
import atelier.InferenceException;
import atelier.ModelLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;

/**
 * One ONNX graph loaded into an ONNX Runtime session: the only place {@link OrtException} is seen.
 * It reads the graph's declared inputs and outputs, checks them for the stage that owns it, and
 * converts values at the boundary to the declared element types.
 *
 * <p>Thread-safe: ONNX Runtime sessions may run concurrently. The session is never freed while a
 * thread is inside it: {@link #close} stops running calls, waits for them to return, and later
 * calls throw {@link IllegalStateException}. Every native call passes {@link OrtRuntime}'s gate, so
 * the JVM's exit waits for them too (docs/native.md). Closing is idempotent.
 */
public final class OnnxModel implements AutoCloseable {
  private final String stage;
  private final Path path;
  private final OrtSession session;
  private final Map<String, TensorSpec> inputs;
  private final Map<String, TensorSpec> outputs;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final Set<OrtSession.RunOptions> running = new HashSet<>();
  private volatile boolean closing;
  private boolean closed;
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong runNanos = new AtomicLong();
  private volatile GraphCacheUse cacheUse = GraphCacheUse.OFF;
  private volatile int fusedAttentions;
  private List<OnnxTensor> overrides = List.of();

  private OnnxModel(String stage, Path path, OrtSession session) throws OrtException {
    this.stage = stage;
    this.path = path;
    this.session = session;
    this.inputs = specs(session.getInputInfo());
    this.outputs = specs(session.getOutputInfo());
  }

  /**
   * Loads {@code file} (external weights beside it are found by ONNX Runtime). With a graph cache
   * in the settings, the optimised graph is saved on the first load and loaded on later ones
   * ({@link #graphCacheUse}).
   *
   * @param stage the stage's name for messages, e.g. {@code unet}
   * @throws ModelLoadException when the file is missing, unreadable or the device cannot be used
   */
  public static OnnxModel open(String stage, Path file, SessionSettings settings) {
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException(stage + ": expected an ONNX graph at " + file + ", found none");
    }
    if (settings.fusedAttention()) {
      return openFused(stage, file, settings);
    }
    OrtEnvironment env = OrtRuntime.env();
    OrtRuntime.GATE.enter(stage + ": loading " + file);
    try {
      return load(
          stage,
          file,
          settings,
          options -> GraphCache.keyOf(file, env.getVersion(), options),
          GraphCache.sourceBytes(file, fileSize(file)),
          file.toAbsolutePath().normalize().toString(),
          null,
          new LinkedHashMap<>(),
          o -> env.createSession(file.toString(), o));
    } catch (OrtException e) {
      throw new ModelLoadException(
          stage + ": ONNX Runtime could not load " + file + ": " + e.getMessage(), e);
    } finally {
      OrtRuntime.GATE.leave();
    }
  }

  /** The note of a cache entry that says how many attention blocks its graph has fused. */
  private static final String FUSED_NOTE = "attention.fused";

  /**
   * Loads {@code file} with its attention fused. The cache entry is keyed on the source files (as a
   * plain load's is) and {@link AttentionFusion#IDENTITY}, so a cached load finds its entry without
   * reading the graph; only a miss reads the file and rewrites it (docs/benchmarks.md, "Load
   * time"). A graph with nothing to fuse is cached under the same key as it is, so its next load
   * does not read it either.
   */
  private static OnnxModel openFused(String stage, Path file, SessionSettings settings) {
    OrtEnvironment env = OrtRuntime.env();
    Map<String, String> notes = new LinkedHashMap<>();
    OrtRuntime.GATE.enter(stage + ": loading " + file);
    try {
      Path folder = file.toAbsolutePath().getParent();
      OnnxModel m =
          load(
              stage,
              file,
              settings,
              options ->
                  GraphCache.keyOf(file, env.getVersion(), options, AttentionFusion.IDENTITY),
              GraphCache.sourceBytes(file, fileSize(file)),
              "attention-fusion:" + file.toAbsolutePath().normalize(),
              AttentionFusion.IDENTITY,
              notes,
              o -> {
                Optional<AttentionFusion.Fused> fused = fuseAttention(stage, file);
                notes.put(FUSED_NOTE, Integer.toString(fused.map(f -> f.fused()).orElse(0)));
                if (fused.isEmpty()) {
                  return env.createSession(file.toString(), o);
                }
                if (folder != null) {
                  o.addConfigEntry(
                      "session.model_external_initializers_file_folder_path", folder.toString());
                }
                return env.createSession(fused.get().model(), o);
              });
      m.fusedAttentions = fusedCount(notes);
      return m;
    } catch (OrtException e) {
      throw new ModelLoadException(
          stage
              + ": ONNX Runtime could not load "
              + file
              + " with its attention fused: "
              + e.getMessage(),
          e);
    } finally {
      OrtRuntime.GATE.leave();
    }
  }

  private static int fusedCount(Map<String, String> notes) {
    try {
      return Integer.parseInt(notes.getOrDefault(FUSED_NOTE, "0"));
    } catch (NumberFormatException e) {
      return 0; // an entry's record is only informative here; its graph is what runs
    }
  }

  /**
   * Graphs up to this size are read for attention fusion (larger ones keep their weights inside).
   */
  private static final long FUSION_MAX_BYTES = 1L << 30;

  /** The graph with its attention fused, or empty when none matched or it is too large to read. */
  private static Optional<AttentionFusion.Fused> fuseAttention(String stage, Path file) {
    try {
      if (Files.size(file) > FUSION_MAX_BYTES) {
        return Optional.empty();
      }
      return AttentionFusion.fuse(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ModelLoadException(stage + ": could not read " + file + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(
          stage + ": " + file + " is not an ONNX graph: " + e.getMessage(), e);
    }
  }

  private static Optional<AttentionFusion.Fused> fuseAttentionBytes(
      String stage, Path file, byte[] graph) {
    try {
      return AttentionFusion.fuse(graph);
    } catch (IllegalArgumentException e) {
      // a graph Atelier rewrote in a form the fusion does not read (e.g. clip skip's appended
      // graph part): it runs unfused, as it was written
      return Optional.empty();
    }
  }

  private static long fileSize(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0; // ONNX Runtime's load reports the unreadable file
    }
  }

  /** The model over a new session; the session is closed if its inputs cannot be read. */
  private static OnnxModel wrap(String stage, Path path, OrtSession session, GraphCacheUse cacheUse)
      throws OrtException {
    try {
      OnnxModel m = new OnnxModel(stage, path, session);
      m.cacheUse = cacheUse;
      return m;
    } catch (OrtException | RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** The version of ONNX Runtime in use (starts it if needed). */
  public static String runtimeVersion() {
    return OrtRuntime.env().getVersion();
  }

  /** Loads a graph from memory (a graph Atelier rewrote); {@code origin} names it in messages. */
  public static OnnxModel open(String stage, byte[] graph, Path origin, SessionSettings settings) {
    OrtEnvironment env = OrtRuntime.env();
    OrtRuntime.GATE.enter(stage + ": loading " + origin);
    try {
      Path folder = origin.toAbsolutePath().getParent();
      return load(
          stage,
          origin,
          settings,
          options -> GraphCache.keyOf(graph, origin, env.getVersion(), options),
          GraphCache.sourceBytes(origin, graph.length),
          "bytes:" + origin.toAbsolutePath().normalize(),
          null,
          new LinkedHashMap<>(),
          o -> {
            if (folder != null) {
              // External weights of a graph loaded from memory are looked up in the original
              // folder.
              o.addConfigEntry(
                  "session.model_external_initializers_file_folder_path", folder.toString());
            }
            return env.createSession(graph, o);
          });
    } catch (OrtException e) {
      throw new ModelLoadException(
          stage
              + ": ONNX Runtime could not load the rewritten graph of "
              + origin
              + ": "
              + e.getMessage(),
          e);
    } finally {
      OrtRuntime.GATE.leave();
    }
  }

  /** Makes a session over the source graph with the options given. */
  private interface SessionSource {
    OrtSession create(OrtSession.SessionOptions options) throws OrtException;
  }

  /** The graph cache key of the source for the options' description. */
  private interface CacheKey {
    String of(String options);
  }

  /**
   * Loads through the graph cache when the settings have one: the cached optimised graph without
   * optimising again, else the source with ONNX Runtime saving its optimised graph into a new
   * entry. A cached graph ONNX Runtime rejects is thrown away and rebuilt; a cache that cannot be
   * written only costs the saving. {@code source} is only called when no cached entry is used.
   *
   * @param rewrite the identity of a rewrite {@code source} applies at every load, recorded in the
   *     entry; null for none
   * @param notes filled by {@code source} when it builds the session, saved with a new entry; on a
   *     cache hit, filled from the entry's record
   */
  private static OnnxModel load(
      String stage,
      Path path,
      SessionSettings settings,
      CacheKey keyOf,
      long sourceBytes,
      String sourceName,
      String rewrite,
      Map<String, String> notes,
      SessionSource source)
      throws OrtException {
    OrtEnvironment env = OrtRuntime.env();
    if (settings.graphCache() == null
        || settings.device() != Device.CPU
        || sourceBytes < GraphCache.minSourceBytes()) {
      try (OrtSession.SessionOptions o = options(settings, OPTIMISED)) {
        return wrap(stage, path, source.create(o), GraphCacheUse.OFF);
      }
    }
    GraphCache cache = new GraphCache(settings.graphCache());
    String key;
    GraphCache.Lookup found;
    try {
      key = keyOf.of(OPTIMISED + " " + settings.device());
      found = cache.find(key);
    } catch (UncheckedIOException e) {
      try (OrtSession.SessionOptions o = options(settings, OPTIMISED)) {
        return wrap(stage, path, source.create(o), GraphCacheUse.OFF);
      }
    }
    boolean damaged = found.damaged();
    if (found.entry().isPresent()) {
      GraphCache.Entry entry = found.entry().get();
      try (OrtSession.SessionOptions o =
          options(settings, OrtSession.SessionOptions.OptLevel.NO_OPT)) {
        OnnxModel hit =
            wrap(stage, path, env.createSession(entry.model().toString(), o), GraphCacheUse.HIT);
        notes.putAll(entry.notes());
        return hit;
      } catch (OrtException | RuntimeException e) {
        cache.discard(entry);
        damaged = true;
      }
    }
    Path temp;
    try {
      temp = cache.begin(key);
    } catch (IOException | RuntimeException e) {
      try (OrtSession.SessionOptions o = options(settings, OPTIMISED)) {
        return wrap(stage, path, source.create(o), GraphCacheUse.OFF);
      }
    }
    OnnxModel model;
    try (OrtSession.SessionOptions o = options(settings, OPTIMISED)) {
      o.setOptimizedModelFilePath(temp.resolve(GraphCache.MODEL).toString());
      o.addConfigEntry("session.optimized_model_external_initializers_file_name", GraphCache.DATA);
      o.addConfigEntry(
          "session.optimized_model_external_initializers_min_size_in_bytes",
          GraphCache.EXTERNAL_MIN_BYTES);
      model =
          wrap(
              stage,
              path,
              source.create(o),
              damaged ? GraphCacheUse.REBUILT : GraphCacheUse.STORED);
    } catch (OrtException | RuntimeException e) {
      GraphCache.delete(temp);
      throw e;
    }
    try {
      cache.commit(temp, key, sourceName, rewrite, notes);
    } catch (IOException | RuntimeException e) {
      GraphCache.delete(temp);
      model.cacheUse = GraphCacheUse.OFF;
    }
    return model;
  }

  /**
   * Loads a graph with some of its external-data initializers replaced by {@code overrides} (ONNX
   * Runtime's external initializers, which replace the graph's own before any optimisation): the
   * weight files are read as they are, the replaced weights come from memory and live as long as
   * the session (ONNX Runtime does not copy them). {@code graph} is the graph's bytes when Atelier
   * changed them (weights stored inside the graph are patched there), else null to read {@code
   * file}. With neither, this is {@link #open(String, Path, SessionSettings)}.
   *
   * <p>Why not {@code addInitializer}: it replaces a weight after the graph optimisers ran, so a
   * Conv weight that was already pre-packed keeps its old values (measured: LoRA on Conv weights
   * had no effect). {@code addExternalInitializers} replaces only weights stored as external data,
   * hence the in-memory graph for the others.
   *
   * @throws ModelLoadException when the graph cannot be loaded or an override names no external
   *     initializer
   */
  public static OnnxModel open(
      String stage,
      Path file,
      byte[] graph,
      SessionSettings settings,
      List<WeightOverride> overrides) {
    if (overrides.isEmpty() && graph == null) {
      return open(stage, file, settings);
    }
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException(stage + ": expected an ONNX graph at " + file + ", found none");
    }
    int fusedBlocks = 0;
    if (settings.fusedAttention()) {
      // the same graph as the file's own sessions run, so a patch of weight 0 is the plain model
      Optional<AttentionFusion.Fused> fused =
          graph != null ? fuseAttentionBytes(stage, file, graph) : fuseAttention(stage, file);
      if (fused.isPresent()) {
        graph = fused.get().model();
        fusedBlocks = fused.get().fused();
      }
    }
    if (overrides.isEmpty()) {
      OnnxModel model = open(stage, graph, file, settings);
      model.fusedAttentions = fusedBlocks;
      return model;
    }
    OrtEnvironment env = OrtRuntime.env();
    List<OnnxTensor> tensors = new ArrayList<>();
    OrtRuntime.GATE.enter(stage + ": loading " + file);
    try (OrtSession.SessionOptions options = options(settings, OPTIMISED)) {
      Map<String, ai.onnxruntime.OnnxTensorLike> map = new LinkedHashMap<>();
      for (WeightOverride w : overrides) {
        java.nio.ByteBuffer bytes =
            java.nio.ByteBuffer.allocateDirect(4 * w.values().length)
                .order(java.nio.ByteOrder.nativeOrder());
        bytes.asFloatBuffer().put(w.values());
        OnnxTensor t = OnnxTensor.createTensor(env, bytes.asFloatBuffer(), w.shape());
        tensors.add(t);
        map.put(w.name(), t);
      }
      options.addExternalInitializers(map);
      OrtSession session;
      if (graph == null) {
        session = env.createSession(file.toString(), options);
      } else {
        Path folder = file.toAbsolutePath().getParent();
        options.addConfigEntry(
            "session.model_external_initializers_file_folder_path", folder.toString());
        session = env.createSession(graph, options);
      }
      OnnxModel model = wrap(stage, file, session, GraphCacheUse.OFF);
      model.overrides = List.copyOf(tensors);
      model.fusedAttentions = fusedBlocks;
      return model;
    } catch (OrtException e) {
      tensors.forEach(OnnxTensor::close);
      throw new ModelLoadException(
          stage
              + ": ONNX Runtime could not load "
              + file
              + " with "
              + overrides.size()
              + " patched weights: "
              + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      tensors.forEach(OnnxTensor::close);
      throw e;
    } finally {
      OrtRuntime.GATE.leave();
    }
  }

  /** The optimisation level of every session that is not loaded from the graph cache. */
  private static final OrtSession.SessionOptions.OptLevel OPTIMISED =
      OrtSession.SessionOptions.OptLevel.ALL_OPT;

  private static OrtSession.SessionOptions options(
      SessionSettings settings, OrtSession.SessionOptions.OptLevel level) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    try {
      o.setOptimizationLevel(level);
      apply(settings, o);
      if (settings.device() == Device.CUDA) {
        addCuda(o, settings.cudaDeviceId());
      }
      return o;
    } catch (OrtException | RuntimeException e) {
      o.close();
      throw e;
    }
  }

  /**
   * Sets the threads and {@link SessionTuning} levers of {@code settings} on {@code o}; a lever at
   * its default leaves ONNX Runtime's own setting alone. Package-private for {@code
   * SessionTuningTest}, which checks that each lever reaches the options.
   */
  static void apply(SessionSettings settings, OrtSession.SessionOptions o) throws OrtException {
    SessionTuning t = settings.tuning();
    o.setExecutionMode(
        t.parallel()
            ? OrtSession.SessionOptions.ExecutionMode.PARALLEL
            : OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    o.setInterOpNumThreads(t.interOpThreads());
    if (settings.intraOpThreads() > 0) {
      o.setIntraOpNumThreads(settings.intraOpThreads());
    }
    if (!t.arena()) {
      o.setCPUArenaAllocator(false);
    }
    if (!t.memoryPattern()) {
      o.setMemoryPatternOptimization(false);
    }
    for (Map.Entry<String, String> e : t.configEntries().entrySet()) {
      o.addConfigEntry(e.getKey(), e.getValue());
    }
  }

  private static void addCuda(OrtSession.SessionOptions o, int deviceId) {
    if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      throw new ModelLoadException(
          "device cuda: expected ONNX Runtime with the CUDA execution provider, found only "
              + OrtEnvironment.getAvailableProviders()
              + ". Build Atelier with './mvnw -Pcuda package' (needs CUDA 12 and cuDNN 9)"
              + " or use --device cpu");
    }
    try {
      o.addCUDA(deviceId);
    } catch (OrtException e) {
      throw new ModelLoadException(
          "device cuda: the CUDA execution provider could not start on GPU "
              + deviceId
              + " ("
              + e.getMessage()
              + "); check the NVIDIA driver, CUDA 12 and cuDNN 9 libraries, or use --device cpu",
          e);
    }
  }

  private static Map<String, TensorSpec> specs(Map<String, NodeInfo> info) {
    Map<String, TensorSpec> m = new LinkedHashMap<>();
    for (NodeInfo n : info.values()) {
      if (n.getInfo() instanceof TensorInfo t) {
        m.put(n.getName(), new TensorSpec(n.getName(), ElementType.of(t.type), t.getShape()));
      } else {
        m.put(n.getName(), new TensorSpec(n.getName(), ElementType.OTHER, new long[0]));
      }
    }
    return m;
  }

  /** How a model's load used the optimised-graph cache. */
  public enum GraphCacheUse {
    /** No cache: off in the settings, not CPU, or the cache folder could not be used. */
    OFF,
    /** Optimised from the source and saved into the cache. */
    STORED,
    /** Loaded from the cache without optimising again. */
    HIT,
    /** The cached entry was damaged or rejected; optimised again and saved anew. */
    REBUILT
  }

  /** How many attention subgraphs were fused into {@code MultiHeadAttention} at load. */
  public int fusedAttentions() {
    return fusedAttentions;
  }

  /** How this model's load used the optimised-graph cache. */
  public GraphCacheUse graphCacheUse() {
    return cacheUse;
  }

  /** The stage name used in messages. */
  public String stage() {
    return stage;
  }

  /** The graph file. */
  public Path path() {
    return path;
  }

  /** The declared inputs, in graph order. */
  public List<TensorSpec> inputs() {
    return List.copyOf(inputs.values());
  }

  /** The declared outputs, in graph order. */
  public List<TensorSpec> outputs() {
    return List.copyOf(outputs.values());
  }

  public Optional<TensorSpec> input(String name) {
    return Optional.ofNullable(inputs.get(name));
  }

  public Optional<TensorSpec> output(String name) {
    return Optional.ofNullable(outputs.get(name));
  }

  /**
   * The input {@code name}, checked against the allowed element types and ranks.
   *
   * @throws ModelLoadException naming the graph, the input, what was expected and what was found
   */
  public TensorSpec requireInput(String name, Set<ElementType> types, int... ranks) {
    return require("input", inputs, name, types, ranks);
  }

  /** The output {@code name}, checked like {@link #requireInput}. */
  public TensorSpec requireOutput(String name, Set<ElementType> types, int... ranks) {
    return require("output", outputs, name, types, ranks);
  }

  private TensorSpec require(
      String what,
      Map<String, TensorSpec> specs,
      String name,
      Set<ElementType> types,
      int[] ranks) {
    String where = stage + " (" + path + "): ";
    TensorSpec s = specs.get(name);
    if (s == null) {
      throw new ModelLoadException(
          where + "expected an " + what + " named '" + name + "', found " + specs.values());
    }
    String which = where + what + " '" + name + "' ";
    if (!types.contains(s.type())) {
      throw new ModelLoadException(
          which
              + "expected type "
              + types.stream().map(Object::toString).sorted().collect(Collectors.joining(" or "))
              + ", found "
              + s.type());
    }
    if (ranks.length > 0 && Arrays.stream(ranks).noneMatch(r -> r == s.rank())) {
      throw new ModelLoadException(
          which
              + "expected rank "
              + Arrays.stream(ranks).mapToObj(Integer::toString).collect(Collectors.joining(" or "))
              + ", found "
              + s.rank()
              + " "
              + s.shapeText());
    }
    return s;
  }

  /** True when any float input or output is declared float16. */
  public boolean usesFloat16() {
    return inputs.values().stream().anyMatch(s -> s.type() == ElementType.FLOAT16)
        || outputs.values().stream().anyMatch(s -> s.type() == ElementType.FLOAT16);
  }

  /**
   * Runs the graph. Inputs are converted to their declared types; the named outputs come back as
   * float tensors (float16 widened).
   *
   * @throws InferenceException when ONNX Runtime fails
   */
  public Map<String, Tensor> run(Map<String, Tensor> feed, String... wanted) {
    lifecycle.readLock().lock();
    try {
      if (closed || closing) {
        throw new IllegalStateException(stage + " (" + path + ") is closed");
      }
      OrtRuntime.GATE.enter(stage);
      try {
        return runInside(feed, wanted);
      } finally {
        OrtRuntime.GATE.leave();
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** The run itself, inside the gate and the read lock. */
  private Map<String, Tensor> runInside(Map<String, Tensor> feed, String... wanted) {
    List<OnnxTensor> created = new ArrayList<>();
    OrtSession.RunOptions options = null;
    Runnable stopper = null;
    try {
      Map<String, OnnxTensor> in = new LinkedHashMap<>();
      OrtEnvironment env = OrtRuntime.env();
      for (Map.Entry<String, Tensor> e : feed.entrySet()) {
        TensorSpec spec = inputs.get(e.getKey());
        if (spec == null) {
          throw new IllegalArgumentException(
              stage + ": no input named '" + e.getKey() + "', expected one of " + inputs.keySet());
        }
        OnnxTensor t = OrtValues.toOrt(env, spec, e.getValue());
        created.add(t);
        in.put(e.getKey(), t);
      }
      options = new OrtSession.RunOptions();
      stopper = stopper(options);
      synchronized (running) {
        running.add(options);
      }
      OrtRuntime.GATE.addStopper(stopper);
      long started = System.nanoTime();
      OrtSession.Result ran = session.run(in, Set.of(wanted), options);
      runNanos.addAndGet(System.nanoTime() - started);
      runs.incrementAndGet();
      try (OrtSession.Result result = ran) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : wanted) {
          OnnxValue v =
              result
                  .get(name)
                  .orElseThrow(() -> new InferenceException(stage + ": no output '" + name + "'"));
          out.put(name, OrtValues.fromOrt((OnnxTensor) v));
        }
        return out;
      }
    } catch (OrtException e) {
      if (closing || OrtRuntime.GATE.isClosed()) {
        throw new CancelledException(
            stage
                + ": stopped while running ("
                + (closing ? "the model was closed" : "the JVM is exiting")
                + ")",
            e);
      }
      throw new InferenceException(
          stage + " (" + path + ") failed with inputs " + describe(feed) + ": " + e.getMessage(),
          e);
    } finally {
      if (options != null) {
        OrtRuntime.GATE.removeStopper(stopper);
        synchronized (running) {
          running.remove(options);
        }
        options.close();
      }
      for (OnnxTensor t : created) {
        t.close();
      }
    }
  }

  /** Asks a running call to return early (ONNX Runtime's terminate flag). */
  private static Runnable stopper(OrtSession.RunOptions options) {
    return () -> {
      try {
        options.setTerminate(true);
      } catch (OrtException e) {
        // The run then goes to its end; whoever waits for it still waits.
      }
    };
  }

  private static String describe(Map<String, Tensor> feed) {
    return feed.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", ", "{", "}"));
  }

  /** How many times this graph ran, and the time spent inside ONNX Runtime's run call. */
  public record RunStats(long runs, long nanos) {}

  /** Run count and time inside {@code OrtSession.run} so far (for benchmarks). */
  public RunStats runStats() {
    return new RunStats(runs.get(), runNanos.get());
  }

  /**
   * Stops running calls, waits for them to return, then frees the session. During the JVM's exit
   * the session is left to the process's end instead (ONNX Runtime is being torn down).
   */
  @Override
  public void close() {
    closing = true;
    synchronized (running) {
      for (OrtSession.RunOptions r : running) {
        stopper(r).run();
      }
    }
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (!OrtRuntime.GATE.tryEnter()) {
        return;
      }
      try {
        session.close();
        overrides.forEach(OnnxTensor::close);
      } catch (OrtException e) {
        throw new InferenceException(stage + ": closing the session for " + path + " failed", e);
      } finally {
        OrtRuntime.GATE.leave();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return stage + " " + path + " inputs=" + inputs.values() + " outputs=" + outputs.values();
  }
}

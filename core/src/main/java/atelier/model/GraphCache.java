package atelier.model;

import atelier.AtelierHome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A folder of ONNX Runtime's optimised graphs, so a model's second load skips graph optimisation
 * (docs/benchmarks.md, "Load time"). One entry per (source graph and the files beside it, ONNX
 * Runtime version, optimisation level, device, this CPU): {@code <key>/model.onnx}, its weights in
 * {@code model.onnx.data} and {@code entry.properties} with their sizes and the graph's SHA-256.
 *
 * <p>The source is identified by the graph's path, size and modification time and those of every
 * file in its folder (external weights live there), or by the SHA-256 of a graph given as bytes;
 * editing a model makes a new key. A graph file rewritten at every load (attention fusion) is keyed
 * on its files plus the rewrite's identity and version, so a cached load reads neither the graph
 * nor the rewrite's output; the entry records the rewrite and its notes (how many blocks it fused).
 * Thread counts are not part of the key: they do not change the optimised graph. Entries are
 * written into a temporary folder and renamed into place, so a reader sees a whole entry or none;
 * an entry whose files do not match its record (truncated, edited) is deleted and rebuilt. Sessions
 * whose initializers are overridden at load (LoRA) must not use the cache: their graph is not the
 * source's ({@link SessionSettings#withoutGraphCache}).
 *
 * <p>Thread-safe and safe across processes: concurrent builders of one key each write their own
 * temporary folder and the first rename wins.
 */
final class GraphCache {
  /** Bumped when the entry layout or the key's parts change. */
  private static final String FORMAT = "atelier-graph-cache 1";

  static final String MODEL = "model.onnx";
  static final String DATA = "model.onnx.data";
  static final String RECORD = "entry.properties";

  /** Initializers from this size up go to the data file (small ones stay in the graph). */
  static final String EXTERNAL_MIN_BYTES = "1024";

  private final Path folder;

  GraphCache(Path folder) {
    this.folder = folder;
  }

  /**
   * The default folder: {@code ort-graphs} in Atelier's cache, or {@code $ATELIER_GRAPH_CACHE} (the
   * system property {@code atelier.graph.cache}); {@code off} there turns the cache off (null).
   */
  static Path defaultFolder() {
    String set = System.getProperty("atelier.graph.cache", System.getenv("ATELIER_GRAPH_CACHE"));
    if (set != null && !set.isBlank()) {
      return set.trim().equalsIgnoreCase("off") ? null : Path.of(set.trim());
    }
    return AtelierHome.fromEnvironment().cache().resolve("ort-graphs");
  }

  Path folder() {
    return folder;
  }

  /** System property: the smallest model (graph and files beside it, in bytes) that is cached. */
  static final String MIN_BYTES_PROPERTY = "atelier.graph.cache.minBytes";

  /**
   * The smallest model that is cached, 32 MiB unless {@value #MIN_BYTES_PROPERTY} says otherwise:
   * smaller graphs (upscalers, scorers, test models) optimise in well under a second, so saving
   * them would only cost disk writes, and time when a load is interrupted.
   */
  static long minSourceBytes() {
    try {
      return Long.parseLong(System.getProperty(MIN_BYTES_PROPERTY, Long.toString(32L << 20)));
    } catch (NumberFormatException e) {
      return 32L << 20;
    }
  }

  /**
   * {@code ownBytes} plus the sizes of the other files in {@code file}'s folder (0 if unreadable).
   */
  static long sourceBytes(Path file, long ownBytes) {
    Path abs = file.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    long total = ownBytes;
    if (dir == null || !Files.isDirectory(dir)) {
      return total;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        if (!p.equals(abs) && Files.isRegularFile(p)) {
          total += Files.size(p);
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return total;
  }

  /**
   * A built or found entry's files.
   *
   * @param notes what the builder recorded about the entry beyond its files ({@link #commit}), e.g.
   *     how many attention blocks its rewrite fused
   */
  record Entry(Path dir, Path model, Map<String, String> notes) {}

  /** Record keys of an entry's notes start with this. */
  private static final String NOTE = "note.";

  /**
   * The key for a graph file and the files beside it.
   *
   * @throws UncheckedIOException when the files cannot be read (the caller loads without the cache)
   */
  static String keyOf(Path graph, String runtime, String options) {
    return keyOf(graph, runtime, options, null);
  }

  /**
   * The key for a graph file rewritten in memory at every load (e.g. {@link AttentionFusion}): the
   * source files as in {@link #keyOf(Path, String, String)} plus the rewrite's identity and
   * version, so the entry is found without reading or rewriting the graph, and a changed rewrite
   * gets a new entry.
   *
   * @param rewrite the rewrite's identity ({@link AttentionFusion#IDENTITY}), or null for the file
   *     as it is
   * @throws UncheckedIOException when the files cannot be read (the caller loads without the cache)
   */
  static String keyOf(Path graph, String runtime, String options, String rewrite) {
    MessageDigest d = sha256();
    update(d, FORMAT, runtime, options, Cpu.IDENTITY);
    if (rewrite != null) {
      update(d, "rewrite", rewrite);
    }
    Path file = graph.toAbsolutePath().normalize();
    update(d, "file", file.toString(), stat(file));
    folderFiles(d, file);
    return HexFormat.of().formatHex(d.digest()).substring(0, 32);
  }

  /** The key for a graph given as bytes whose external weights are in {@code origin}'s folder. */
  static String keyOf(byte[] graph, Path origin, String runtime, String options) {
    MessageDigest d = sha256();
    update(d, FORMAT, runtime, options, Cpu.IDENTITY);
    update(d, "bytes", HexFormat.of().formatHex(sha256().digest(graph)));
    folderFiles(d, origin.toAbsolutePath().normalize());
    return HexFormat.of().formatHex(d.digest()).substring(0, 32);
  }

  private static void folderFiles(MessageDigest d, Path file) {
    Path dir = file.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        if (!p.equals(file) && Files.isRegularFile(p)) {
          files.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.sort(Comparator.comparing(Path::toString));
    for (Path p : files) {
      update(d, "beside", p.getFileName().toString(), stat(p));
    }
  }

  private static String stat(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      return a.size() + "@" + a.lastModifiedTime().toInstant();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The entry for {@code key} if its files match its record; a damaged entry is deleted (the caller
   * then rebuilds it).
   *
   * @return the entry, or empty with {@link Lookup#damaged} saying whether one was thrown away
   */
  Lookup find(String key) {
    Path dir = folder.resolve(key);
    if (!Files.isDirectory(dir)) {
      return new Lookup(Optional.empty(), false);
    }
    Optional<Properties> record = matchingRecord(dir);
    if (record.isPresent()) {
      Map<String, String> notes = new TreeMap<>();
      for (String name : record.get().stringPropertyNames()) {
        if (name.startsWith(NOTE)) {
          notes.put(name.substring(NOTE.length()), record.get().getProperty(name));
        }
      }
      return new Lookup(Optional.of(new Entry(dir, dir.resolve(MODEL), Map.copyOf(notes))), false);
    }
    delete(dir);
    return new Lookup(Optional.empty(), true);
  }

  /** What {@link #find} found. */
  record Lookup(Optional<Entry> entry, boolean damaged) {}

  /** The entry's record when its files match it, else empty. */
  private static Optional<Properties> matchingRecord(Path dir) {
    try {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(dir.resolve(RECORD))) {
        p.load(in);
      }
      Path model = dir.resolve(MODEL);
      Path data = dir.resolve(DATA);
      long dataSize = Long.parseLong(p.getProperty("data.size", "x"));
      boolean matches =
          Files.size(model) == Long.parseLong(p.getProperty("model.size", "x"))
              && sha256(model).equals(p.getProperty("model.sha256"))
              && (dataSize < 0 ? !Files.exists(data) : Files.size(data) == dataSize);
      return matches ? Optional.of(p) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Throws an entry away (it failed to load although its files matched). */
  void discard(Entry entry) {
    delete(entry.dir());
  }

  /**
   * A fresh temporary folder for building {@code key}; ONNX Runtime writes {@link #MODEL} and
   * {@link #DATA} into it, then {@link #commit} moves it into place.
   */
  Path begin(String key) throws IOException {
    Files.createDirectories(folder);
    return Files.createTempDirectory(folder, key + ".tmp-");
  }

  /**
   * Records the built files and renames the folder into place; another process's entry for the same
   * key wins over ours. Entries for older versions of the same source are deleted.
   */
  void commit(Path temp, String key, String source) throws IOException {
    commit(temp, key, source, null, Map.of());
  }

  /**
   * As {@link #commit(Path, String, String)}, recording the rewrite the entry was built from (null:
   * none) and {@code notes} for {@link Entry#notes}.
   */
  void commit(Path temp, String key, String source, String rewrite, Map<String, String> notes)
      throws IOException {
    Path model = temp.resolve(MODEL);
    Path data = temp.resolve(DATA);
    Properties p = new Properties();
    p.setProperty("source", source);
    if (rewrite != null) {
      p.setProperty("rewrite", rewrite);
    }
    notes.forEach((k, v) -> p.setProperty(NOTE + k, v));
    p.setProperty("model.size", Long.toString(Files.size(model)));
    p.setProperty("model.sha256", sha256(model));
    p.setProperty("data.size", Long.toString(Files.exists(data) ? Files.size(data) : -1));
    try (OutputStream out = Files.newOutputStream(temp.resolve(RECORD))) {
      p.store(out, FORMAT);
    }
    Path target = folder.resolve(key);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
      delete(temp);
      return;
    }
    pruneOlder(key, source);
  }

  /**
   * Deletes other entries built from {@code source} (the model changed since) and old leftovers.
   */
  private void pruneOlder(String key, String source) {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(folder)) {
      long hourAgo = System.currentTimeMillis() - 3_600_000;
      for (Path dir : s) {
        String name = dir.getFileName().toString();
        if (name.equals(key) || !Files.isDirectory(dir)) {
          continue;
        }
        if (name.contains(".tmp-")) {
          if (Files.getLastModifiedTime(dir).toMillis() < hourAgo) {
            delete(dir);
          }
          continue;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(RECORD))) {
          p.load(in);
        } catch (IOException unreadable) {
          continue;
        }
        if (source.equals(p.getProperty("source"))) {
          delete(dir);
        }
      }
    } catch (IOException e) {
      // Pruning is housekeeping; the new entry is in place either way.
    }
  }

  /** Deletes a folder and its files, ignoring what cannot be deleted. */
  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // A later build writes a new temporary folder; the key is rebuilt then.
                }
              });
    } catch (IOException | UncheckedIOException ignored) {
      // As above.
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest d = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        d.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static void update(MessageDigest d, String... parts) {
    for (String s : parts) {
      d.update(s.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
    }
  }

  /** This CPU's model and feature flags: ONNX Runtime's optimised graph may use its layouts. */
  static final class Cpu {
    static final String IDENTITY = identity();

    private Cpu() {}

    private static String identity() {
      String base =
          System.getProperty("os.arch") + " " + Runtime.getRuntime().availableProcessors();
      Path info = Path.of("/proc/cpuinfo");
      if (!Files.isReadable(info)) {
        return base;
      }
      try (Stream<String> lines = Files.lines(info)) {
        StringBuilder b = new StringBuilder(System.getProperty("os.arch"));
        lines
            .filter(l -> l.startsWith("model name") || l.startsWith("flags"))
            .limit(2)
            .forEach(l -> b.append('|').append(l.trim().toLowerCase(Locale.ROOT)));
        return b.toString();
      } catch (IOException | UncheckedIOException e) {
        return base;
      }
    }
  }
}

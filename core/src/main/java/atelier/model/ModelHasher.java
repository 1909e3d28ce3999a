package atelier.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The identity of a model folder: a SHA-256 over every file's relative path and SHA-256, so two
 * folders with the same files hash alike wherever they lie. File hashes are cached by path, size
 * and modification time in {@code hashes.json} under the cache folder, because hashing a 4 GB UNet
 * takes seconds. Thread-safe (the cache file is rewritten atomically under a lock).
 */
public final class ModelHasher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Object LOCK = new Object();

  private final Path cacheFile;

  /** A hasher caching in {@code cacheDir/hashes.json}; null disables the cache. */
  public ModelHasher(Path cacheDir) {
    this.cacheFile = cacheDir == null ? null : cacheDir.resolve("hashes.json");
  }

  /** The default cache folder: {@link atelier.AtelierHome#cache()} of the environment. */
  public static Path defaultCacheDir() {
    return atelier.AtelierHome.fromEnvironment().cache();
  }

  /** Hex SHA-256 of the folder's contents (hidden files excluded). */
  public String hash(Path folder) {
    List<Path> files;
    try (Stream<Path> s = Files.walk(folder)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(p -> !folder.relativize(p).toString().startsWith("."))
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .sorted()
              .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("hashing model " + folder + ": " + e.getMessage(), e);
    }
    MessageDigest total = sha256();
    for (Path f : files) {
      String rel = folder.relativize(f).toString().replace('\\', '/');
      total.update((rel + "\0" + fileHash(f) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(total.digest());
  }

  /** Hex SHA-256 of one file, from the cache when its size and time are unchanged. */
  public String fileHash(Path file) {
    try {
      Path abs = file.toAbsolutePath().normalize();
      String key = abs + "|" + Files.size(abs) + "|" + Files.getLastModifiedTime(abs).toMillis();
      ObjectNode cache = readCache();
      if (cache.has(key)) {
        return cache.get(key).asText();
      }
      String hex = sha256Of(abs);
      writeCache(key, hex);
      return hex;
    } catch (IOException e) {
      throw new UncheckedIOException("hashing " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Records a SHA-256 already computed for a file (e.g. while downloading it), so the next {@link
   * #fileHash} of the unchanged file needs no second pass over its bytes.
   */
  public void remember(Path file, String sha256) {
    try {
      Path abs = file.toAbsolutePath().normalize();
      writeCache(
          abs + "|" + Files.size(abs) + "|" + Files.getLastModifiedTime(abs).toMillis(), sha256);
    } catch (IOException e) {
      // Not remembering only costs a rehash later.
    }
  }

  /** Hex SHA-256 of a file's bytes, uncached. */
  public static String sha256Of(Path file) throws IOException {
    MessageDigest d = sha256();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        d.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** Hex SHA-256 of bytes. */
  public static String sha256Of(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private ObjectNode readCache() {
    if (cacheFile == null || !Files.isRegularFile(cacheFile)) {
      return JSON.createObjectNode();
    }
    synchronized (LOCK) {
      try {
        return (ObjectNode) JSON.readTree(cacheFile.toFile());
      } catch (IOException | ClassCastException e) {
        return JSON.createObjectNode(); // a damaged cache is only a slower start
      }
    }
  }

  private void writeCache(String key, String hex) {
    if (cacheFile == null) {
      return;
    }
    synchronized (LOCK) {
      try {
        ObjectNode cache = readCache();
        cache.put(key, hex);
        atelier.AtomicFiles.write(cacheFile, JSON.writeValueAsBytes(cache));
      } catch (IOException e) {
        // A cache that cannot be written only costs time on the next start.
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}

package atelier.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A loopback stand-in for the Hugging Face hub, serving files the way its resolve endpoint does
 * (huggingface_hub's file_download.py reads the same headers): {@code GET
 * /{repo}/resolve/{revision}/{path}} answers small Git files directly with {@code ETag} = the Git
 * blob id, and LFS files (here: graphs and weights) with a 302 to a second server, the "CDN", plus
 * {@code X-Linked-Etag} (the SHA-256), {@code X-Linked-Size} and {@code X-Repo-Commit}. The CDN
 * honours {@code Range: bytes=N-}. Faults can be injected: a connection dropped after N bytes, a
 * stall, corrupted bytes, a gated repository. Records every request for the tests to inspect.
 */
public final class FakeHub implements AutoCloseable {
  public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  /** One request as the servers saw it. */
  public record Seen(
      String server, String method, String path, String range, String authorization) {}

  private final HttpServer hub;
  private final HttpServer cdn;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Map<String, Map<String, byte[]>> repos = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, Integer> dropAfter = new ConcurrentHashMap<>();
  private final Map<String, Integer> stallAfter = new ConcurrentHashMap<>();
  private final Map<String, Boolean> corrupt = new ConcurrentHashMap<>();
  private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger fullDownloads = new AtomicInteger();
  private volatile String requiredToken;
  private volatile long stallMillis = 2000;

  public FakeHub() throws IOException {
    InetAddress lo = InetAddress.getLoopbackAddress();
    hub = HttpServer.create(new InetSocketAddress(lo, 0), 0);
    cdn = HttpServer.create(new InetSocketAddress(lo, 0), 0);
    hub.createContext("/", this::hub);
    cdn.createContext("/", this::cdn);
    hub.setExecutor(pool);
    cdn.setExecutor(pool);
    hub.start();
    cdn.start();
  }

  /** The hub's address, what DownloadSettings.endpoint takes. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
  }

  /** The CDN's address. */
  public URI cdnAddress() {
    return URI.create("http://127.0.0.1:" + cdn.getAddress().getPort());
  }

  /** Publishes every file of a folder as repository {@code repo} at revision {@code revision}. */
  public FakeHub publish(String repo, String revision, Path folder) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (Stream<Path> s = Files.walk(folder)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        files.put(folder.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    repos.put(repo + "@" + revision, files);
    for (byte[] b : files.values()) {
      blobs.put(sha256(b), b);
    }
    return this;
  }

  /** The bytes of a published file. */
  public byte[] file(String repo, String revision, String path) {
    return repos.get(repo + "@" + revision).get(path);
  }

  /** Requires {@code Authorization: Bearer token} on the hub. */
  public void gate(String token) {
    requiredToken = token;
  }

  /** The next CDN transfer of this file closes the connection after {@code bytes} bytes. */
  public void dropOnce(byte[] content, int bytes) {
    dropAfter.put(sha256(content), bytes);
  }

  /** The next CDN transfer of this file stops sending after {@code bytes} bytes for a while. */
  public void stallOnce(byte[] content, int bytes, long millis) {
    stallAfter.put(sha256(content), bytes);
    stallMillis = millis;
  }

  /** Every CDN transfer of this file flips a byte in the middle. */
  public void corrupt(byte[] content) {
    corrupt.put(sha256(content), true);
  }

  public List<Seen> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** Transfers of a whole file (no Range) from the CDN or directly from the hub. */
  public int fullDownloads() {
    return fullDownloads.get();
  }

  public static boolean isLfs(String path) {
    return path.endsWith(".onnx")
        || path.endsWith(".onnx_data")
        || path.endsWith(".pb")
        || path.endsWith(".safetensors");
  }

  private void hub(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    record(ex, "hub");
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
      send(ex, 401, "Access to this repository is restricted.");
      return;
    }
    // /{owner}/{name}/resolve/{revision}/{file...}
    String[] parts = path.split("/", 6);
    if (parts.length < 6 || !parts[3].equals("resolve")) {
      send(ex, 404, "Repository not found");
      return;
    }
    String revision = java.net.URLDecoder.decode(parts[4], StandardCharsets.UTF_8);
    Map<String, byte[]> files = repos.get(parts[1] + "/" + parts[2] + "@" + revision);
    byte[] body = files == null ? null : files.get(parts[5]);
    if (body == null) {
      send(ex, 404, "Entry not found");
      return;
    }
    ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
    if (isLfs(parts[5])) {
      String sha = sha256(body);
      ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
      ex.getResponseHeaders().add("X-Linked-Size", Integer.toString(body.length));
      ex.getResponseHeaders().add("ETag", "\"" + gitBlobSha1(sha.getBytes()) + "\"");
      ex.getResponseHeaders().add("Location", cdnAddress() + "/repos/" + sha + "?X-Amz-Sig=1");
      ex.sendResponseHeaders(302, -1);
      ex.close();
      return;
    }
    ex.getResponseHeaders().add("ETag", "\"" + gitBlobSha1(body) + "\"");
    serve(ex, body, null);
  }

  private void cdn(HttpExchange ex) throws IOException {
    record(ex, "cdn");
    String sha = ex.getRequestURI().getPath().replace("/repos/", "");
    byte[] body = blobs.get(sha);
    if (body == null) {
      send(ex, 404, "NoSuchKey");
      return;
    }
    if (corrupt.containsKey(sha)) {
      body = body.clone();
      body[body.length / 2] ^= 0x5a;
    }
    ex.getResponseHeaders().add("ETag", "\"cdn-" + sha.substring(0, 8) + "\"");
    serve(ex, body, sha);
  }

  private void serve(HttpExchange ex, byte[] body, String sha) throws IOException {
    String range = ex.getRequestHeaders().getFirst("Range");
    int from = 0;
    if (range != null && range.matches("bytes=\\d+-")) {
      from = Integer.parseInt(range.substring(6, range.length() - 1));
      if (from >= body.length) {
        ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
        ex.sendResponseHeaders(416, -1);
        ex.close();
        return;
      }
      ex.getResponseHeaders()
          .add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
      ex.sendResponseHeaders(206, body.length - from);
    } else {
      fullDownloads.incrementAndGet();
      ex.sendResponseHeaders(200, body.length);
    }
    Integer drop = sha == null ? null : dropAfter.remove(sha);
    Integer stall = sha == null ? null : stallAfter.remove(sha);
    OutputStream out = ex.getResponseBody();
    int end = drop != null ? Math.min(body.length, from + drop) : body.length;
    int stallAt = stall != null ? Math.min(end, from + stall) : -1;
    try {
      if (stallAt >= 0) {
        out.write(body, from, stallAt - from);
        out.flush();
        sleep(stallMillis);
        from = stallAt;
      }
      out.write(body, from, end - from);
      out.flush();
    } catch (IOException clientGone) {
      // The client stopped the transfer (stall detection); nothing to finish.
    }
    if (drop != null) {
      // Declared Content-Length not reached: an exception out of the handler makes the server
      // close the connection, which is what a client sees when a CDN connection drops.
      throw new IOException("fake hub: dropping the connection after " + drop + " bytes");
    }
    ex.close();
  }

  private void record(HttpExchange ex, String server) {
    seen.add(
        new Seen(
            server,
            ex.getRequestMethod(),
            ex.getRequestURI().getPath(),
            ex.getRequestHeaders().getFirst("Range"),
            ex.getRequestHeaders().getFirst("Authorization")));
  }

  private static void send(HttpExchange ex, int status, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String gitBlobSha1(byte[] b) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-1");
      d.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(d.digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
    pool.shutdownNow();
  }
}

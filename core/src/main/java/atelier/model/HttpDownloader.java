package atelier.model;

import atelier.CancelToken;
import atelier.CancelledException;
import atelier.ModelLoadException;
import atelier.Version;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Authenticator;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches one file over HTTP the way Hugging Face serves it: follows the hub's redirect to its CDN
 * (sending the token to the hub only), reads the LFS object's SHA-256 and size from the hub's
 * {@code X-Linked-Etag} / {@code X-Linked-Size} headers (or the Git blob id from {@code ETag} for
 * files kept in Git), writes into a hidden {@code .name.part} file beside the target, resumes it
 * with an HTTP range after an interruption, checks size and hash, and only then renames it into
 * place. Thread-safe: one instance serves concurrent fetches of different targets.
 */
public final class HttpDownloader {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern HEX40 = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final int MAX_REDIRECTS = 10;
  private static final long POLL_MS = 200;

  /** Receives a file's progress on the fetching thread: bytes present and total (-1 unknown). */
  @FunctionalInterface
  public interface Progress {
    void update(long present, long total);
  }

  /** How a fetched file's contents were checked. */
  public enum Check {
    /** Against the SHA-256 the catalog lists. */
    CATALOG_SHA256,
    /** Against the SHA-256 the hub announced ({@code X-Linked-Etag}). */
    SERVER_SHA256,
    /** Against the Git blob id the hub announced ({@code ETag} of a non-LFS file). */
    GIT_SHA1,
    /** Only the size was known. */
    SIZE
  }

  /**
   * A file fetched, checked and renamed into place.
   *
   * @param path the final file
   * @param size its size in bytes
   * @param sha256 its SHA-256 (computed while downloading)
   * @param check what it was checked against
   * @param commit the commit the hub resolved the revision to ({@code X-Repo-Commit}), or null
   * @param transferred bytes received over the network by this call (less than size after a resume)
   */
  public record Fetched(
      Path path, long size, String sha256, Check check, String commit, long transferred) {}

  /** What the hub's headers said about a file. */
  record Remote(String sha256, String gitSha1, Long size, String commit) {}

  private final DownloadSettings settings;
  private final HttpClient client;

  public HttpDownloader(DownloadSettings settings) {
    this.settings = settings;
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(settings.connectTimeout());
    if (settings.proxy() != null) {
      b.proxy(settings.proxy());
      b.authenticator(new ProxyAuthenticator(settings.proxy()));
    }
    this.client = b.build();
  }

  public DownloadSettings settings() {
    return settings;
  }

  /** The hidden partial file a download of {@code target} writes to. */
  public static Path partFile(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".part");
  }

  /**
   * Fetches {@code url} into {@code target}, resuming a partial file from an earlier attempt.
   *
   * @param expectedSize the exact size if known, else null
   * @param expectedSha256 the SHA-256 if known, else null (the hub's headers are used)
   * @throws ModelLoadException when the server refuses, the file is corrupt, or the transfer keeps
   *     failing; the message names the URL and what to do
   * @throws CancelledException when {@code cancel} fires; the partial file is kept for a resume
   */
  public Fetched fetch(
      URI url,
      Path target,
      Long expectedSize,
      String expectedSha256,
      Progress progress,
      CancelToken cancel) {
    Path part = partFile(target);
    long[] transferred = {0};
    for (int attempt = 0; ; attempt++) {
      try {
        return attempt(
            url, target, part, expectedSize, expectedSha256, progress, cancel, transferred);
      } catch (IOException e) {
        boolean unreachable = isUnreachable(e) && transferred[0] == 0;
        if (unreachable || attempt >= settings.retries()) {
          long kept = part.toFile().length();
          throw new ModelLoadException(
              "download of "
                  + url
                  + " failed"
                  + (attempt > 0 ? " after " + (attempt + 1) + " attempts" : "")
                  + ": "
                  + describe(e)
                  + (kept > 0
                      ? "; " + kept + " bytes are kept in " + part + " and the next pull resumes"
                      : ""),
              e);
        }
        sleep(settings.retryDelay().multipliedBy(1L << Math.min(attempt, 10)), cancel);
      }
    }
  }

  private Fetched attempt(
      URI url,
      Path target,
      Path part,
      Long expectedSize,
      String expectedSha256,
      Progress progress,
      CancelToken cancel,
      long[] transferred)
      throws IOException {
    cancel.check();
    Files.createDirectories(target.toAbsolutePath().getParent());
    long have = Files.isRegularFile(part) ? Files.size(part) : 0;
    if (expectedSize != null && have > expectedSize) {
      Files.delete(part);
      have = 0;
    }
    if (expectedSize != null && expectedSha256 != null && have == expectedSize && have > 0) {
      // An earlier run received everything but stopped before checking and renaming.
      String sha = Digests.sha256(part, null, cancel);
      if (sha.equals(expectedSha256)) {
        move(part, target);
        return new Fetched(target, have, sha, Check.CATALOG_SHA256, null, 0);
      }
      Files.delete(part);
      have = 0;
    }
    MessageDigest seeded = Digests.sha256();
    if (have > 0) {
      Digests.update(seeded, part, have, null, cancel);
    }
    Exchange ex = exchange(url, part, have, seeded, progress, cancel);
    Remote remote = ex.remote;
    int status = ex.response.statusCode();
    if (status == 416 && have > 0) {
      Files.deleteIfExists(part);
      return attempt(
          url, target, part, expectedSize, expectedSha256, progress, cancel, transferred);
    }
    refuse(url, status);
    if (ex.sink == null) {
      // A 206 that did not continue where the part file ends: start over.
      Files.deleteIfExists(part);
      return attempt(
          url, target, part, expectedSize, expectedSha256, progress, cancel, transferred);
    }
    transferred[0] += ex.received();
    long size = ex.response.body();
    if (expectedSha256 != null
        && remote.sha256() != null
        && !expectedSha256.equals(remote.sha256())) {
      Files.deleteIfExists(part);
      throw new ModelLoadException(
          "download of "
              + url
              + ": the catalog expects SHA-256 "
              + expectedSha256
              + " but the server announces "
              + remote.sha256()
              + " (the catalog entry is out of date, or the file changed at that revision)");
    }
    Long want =
        expectedSize != null ? expectedSize : remote.size() != null ? remote.size() : ex.total;
    if (want != null && want >= 0 && size != want) {
      if (size < want) {
        throw new IOException("the connection ended after " + size + " of " + want + " bytes");
      }
      Files.deleteIfExists(part);
      throw new ModelLoadException(
          "download of "
              + url
              + ": expected "
              + want
              + " bytes, received "
              + size
              + "; the download was deleted, run the pull again");
    }
    String sha = Digests.hex(ex.sink.digest());
    Check check;
    String expected;
    if (expectedSha256 != null) {
      check = Check.CATALOG_SHA256;
      expected = expectedSha256;
    } else if (remote.sha256() != null) {
      check = Check.SERVER_SHA256;
      expected = remote.sha256();
    } else if (remote.gitSha1() != null) {
      check = Check.GIT_SHA1;
      expected = remote.gitSha1();
    } else {
      check = Check.SIZE;
      expected = null;
    }
    String found = check == Check.GIT_SHA1 ? Digests.gitBlobSha1(part) : sha;
    if (expected != null && !expected.equals(found)) {
      Files.deleteIfExists(part);
      throw new ModelLoadException(
          "download of "
              + url
              + ": expected "
              + (check == Check.GIT_SHA1 ? "Git blob id " : "SHA-256 ")
              + expected
              + (check == Check.CATALOG_SHA256 ? " (from the catalog)" : " (from the server)")
              + ", found "
              + found
              + "; the corrupt download was deleted, run the pull again");
    }
    move(part, target);
    return new Fetched(target, size, sha, check, remote.commit(), transferred[0]);
  }

  /** One request, following redirects; the body of a 200/206 lands in the part file. */
  private Exchange exchange(
      URI url, Path part, long have, MessageDigest seeded, Progress progress, CancelToken cancel)
      throws IOException {
    URI current = url;
    Remote remote = new Remote(null, null, null, null);
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder rb =
          HttpRequest.newBuilder(current)
              .GET()
              .header("User-Agent", "atelier/" + Version.NUMBER)
              .header("Accept-Encoding", "identity");
      if (have > 0) {
        rb.header("Range", "bytes=" + have + "-");
      }
      if (settings.token() != null && sameOrigin(current, settings.endpoint())) {
        rb.header("Authorization", "Bearer " + settings.token());
      }
      AtomicLong present = new AtomicLong(have);
      AtomicLong activity = new AtomicLong(System.nanoTime());
      AtomicReference<PartFileSink> sinkRef = new AtomicReference<>();
      AtomicReference<IOException> sinkFailure = new AtomicReference<>();
      AtomicLong total = new AtomicLong(-1);
      HttpResponse.BodyHandler<Long> handler =
          info -> {
            int s = info.statusCode();
            if (s == 200 || (s == 206 && rangeStart(info.headers()) == have)) {
              total.set(totalSize(info.headers(), s, have));
              try {
                PartFileSink sink =
                    new PartFileSink(
                        part,
                        s == 206,
                        s == 206 ? clone(seeded) : Digests.sha256(),
                        present,
                        activity);
                sinkRef.set(sink);
                return sink;
              } catch (IOException e) {
                sinkFailure.set(e);
                return HttpResponse.BodySubscribers.replacing(-1L);
              }
            }
            return HttpResponse.BodySubscribers.replacing(-1L);
          };
      HttpResponse<Long> response =
          await(
              client.sendAsync(rb.build(), handler),
              sinkRef,
              present,
              total,
              activity,
              progress,
              cancel);
      if (sinkFailure.get() != null) {
        throw new IOException(
            "cannot write " + part + ": " + sinkFailure.get().getMessage(), sinkFailure.get());
      }
      remote = absorb(remote, response.headers(), hop == 0);
      int status = response.statusCode();
      if (status >= 300 && status < 400 && status != 304) {
        Optional<String> location = response.headers().firstValue("location");
        if (location.isEmpty()) {
          throw new ModelLoadException(
              "download of " + current + ": HTTP " + status + " without a Location header");
        }
        current = current.resolve(location.get());
        continue;
      }
      return new Exchange(
          response, sinkRef.get(), remote, total.get() < 0 ? null : total.get(), have);
    }
    throw new ModelLoadException(
        "download of "
            + url
            + ": more than "
            + MAX_REDIRECTS
            + " redirects (last "
            + current
            + ")");
  }

  /** Waits for a response, reporting progress and stopping a stalled or cancelled transfer. */
  private HttpResponse<Long> await(
      CompletableFuture<HttpResponse<Long>> cf,
      AtomicReference<PartFileSink> sinkRef,
      AtomicLong present,
      AtomicLong total,
      AtomicLong activity,
      Progress progress,
      CancelToken cancel)
      throws IOException {
    long stallNanos = settings.stallTimeout().toNanos();
    while (true) {
      try {
        HttpResponse<Long> r = cf.get(POLL_MS, TimeUnit.MILLISECONDS);
        if (progress != null && sinkRef.get() != null) {
          progress.update(present.get(), total.get());
        }
        return r;
      } catch (TimeoutException waiting) {
        if (progress != null && sinkRef.get() != null) {
          progress.update(present.get(), total.get());
        }
        if (cancel.isCancelled()) {
          stop(cf, sinkRef, new CancelledException("download cancelled"));
          throw new CancelledException("download cancelled by the caller");
        }
        if (System.nanoTime() - activity.get() > stallNanos) {
          IOException stalled =
              new IOException(
                  String.format(
                      Locale.ROOT,
                      "no data for %.1f s (stalled transfer)",
                      settings.stallTimeout().toMillis() / 1000.0));
          stop(cf, sinkRef, stalled);
          throw stalled;
        }
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof CancelledException ce) {
          throw ce;
        }
        if (c instanceof IOException io) {
          throw io;
        }
        throw new IOException(c == null ? e.toString() : c.toString(), c);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop(cf, sinkRef, new InterruptedIOException("interrupted"));
        throw new CancelledException("download interrupted");
      }
    }
  }

  private static void stop(
      CompletableFuture<?> cf, AtomicReference<PartFileSink> sinkRef, Throwable why) {
    PartFileSink sink = sinkRef.get();
    if (sink != null) {
      sink.abort(why);
    }
    cf.cancel(true);
  }

  private static void refuse(URI url, int status) throws IOException {
    if (status == 200 || status == 206 || status == 416) {
      return;
    }
    if (status == 401 || status == 403) {
      throw new ModelLoadException(
          "download of "
              + url
              + ": HTTP "
              + status
              + ": the repository is gated or private; accept its terms on its Hugging Face page"
              + " and set HF_TOKEN to an access token (https://huggingface.co/settings/tokens)");
    }
    if (status == 404) {
      throw new ModelLoadException(
          "download of "
              + url
              + ": HTTP 404: no such repository, revision or file (is the catalog entry out of"
              + " date?)");
    }
    if (status >= 500 || status == 429) {
      throw new IOException("HTTP " + status + " from the server");
    }
    throw new ModelLoadException("download of " + url + ": unexpected HTTP " + status);
  }

  static Remote absorb(Remote r, HttpHeaders h, boolean hubAnswer) {
    String sha = r.sha256();
    String git = r.gitSha1();
    Long size = r.size();
    String commit = r.commit();
    String linked = etag(h.firstValue("x-linked-etag"));
    if (sha == null && linked != null && HEX64.matcher(linked).matches()) {
      sha = linked;
    }
    Optional<String> linkedSize = h.firstValue("x-linked-size");
    if (size == null && linkedSize.isPresent() && linkedSize.get().matches("\\d+")) {
      size = Long.parseLong(linkedSize.get());
    }
    commit = commit != null ? commit : h.firstValue("x-repo-commit").orElse(null);
    if (hubAnswer && linked == null) {
      String tag = etag(h.firstValue("etag"));
      if (tag != null && HEX64.matcher(tag).matches() && sha == null) {
        sha = tag;
      } else if (tag != null && HEX40.matcher(tag).matches() && commit != null) {
        git = tag;
      }
    }
    return new Remote(sha, git, size, commit);
  }

  private static String etag(Optional<String> v) {
    if (v.isEmpty()) {
      return null;
    }
    String t = v.get().trim();
    t = t.startsWith("W/") ? t.substring(2) : t;
    return t.replace("\"", "").toLowerCase(Locale.ROOT);
  }

  private static long rangeStart(HttpHeaders h) {
    Matcher m = CONTENT_RANGE.matcher(h.firstValue("content-range").orElse(""));
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  private static long totalSize(HttpHeaders h, int status, long have) {
    if (status == 206) {
      Matcher m = CONTENT_RANGE.matcher(h.firstValue("content-range").orElse(""));
      return m.matches() && !m.group(3).equals("*") ? Long.parseLong(m.group(3)) : -1;
    }
    return h.firstValueAsLong("content-length").orElse(-1);
  }

  private static MessageDigest clone(MessageDigest d) {
    try {
      return (MessageDigest) d.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
    }
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() > 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  private static void move(Path part, Path target) throws IOException {
    try {
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void sleep(Duration d, CancelToken cancel) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      cancel.check();
      try {
        Thread.sleep(Math.min(POLL_MS, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancelledException("download interrupted");
      }
    }
  }

  /** True when {@code t} (or a cause) says the host could not be reached at all. */
  public static boolean isUnreachable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ConnectException
          || c instanceof UnknownHostException
          || c instanceof UnresolvedAddressException
          || c instanceof NoRouteToHostException
          || c instanceof HttpConnectTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** A response with its headers' facts and, for 200/206, the sink that wrote its body. */
  private record Exchange(
      HttpResponse<Long> response, PartFileSink sink, Remote remote, Long total, long have) {
    long received() {
      return sink == null ? 0 : response.body() - (response.statusCode() == 206 ? have : 0);
    }
  }

  /** Answers a proxy's authentication challenge with the user:password of its address. */
  private static final class ProxyAuthenticator extends Authenticator {
    private final EnvProxySelector proxy;

    ProxyAuthenticator(EnvProxySelector proxy) {
      this.proxy = proxy;
    }

    @Override
    protected PasswordAuthentication getPasswordAuthentication() {
      if (getRequestorType() != RequestorType.PROXY) {
        return null;
      }
      String userInfo = proxy.userInfo();
      if (userInfo == null) {
        return null;
      }
      String[] up = userInfo.split(":", 2);
      return new PasswordAuthentication(up[0], (up.length > 1 ? up[1] : "").toCharArray());
    }
  }
}

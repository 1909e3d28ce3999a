package atelier.model;

import atelier.CancelToken;
import atelier.CancelledException;
import atelier.ModelLoadException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * Fetches one file over HTTP the way Hugging Face serves it: follows the hub's redirect to its CDN
 * (sending the token to the hub only), reads the LFS object's SHA-256 and size from the hub's
 * {@code X-Linked-Etag} / {@code X-Linked-Size} headers (or the Git blob id from {@code ETag} for
 * files kept in Git), writes into a hidden {@code .name.part} file beside the target, resumes it
 * with an HTTP range after an interruption, checks size and hash, and only then renames it into
 * place. Thread-safe: one instance serves concurrent fetches of different targets.
 */
public final class HttpDownloader {
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

  private final DownloadSettings settings;
  private final HubRequest requests;

  public HttpDownloader(DownloadSettings settings) {
    this.settings = settings;
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(settings.connectTimeout());
    if (settings.proxy() != null) {
      b.proxy(settings.proxy());
      b.authenticator(settings.proxy().authenticator());
    }
    this.requests = new HubRequest(b.build(), settings);
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
    HubRequest.Exchange ex = requests.send(url, part, have, seeded, progress, cancel);
    HubRequest.Remote remote = ex.remote();
    int status = ex.response().statusCode();
    if (status == 416 && have > 0) {
      Files.deleteIfExists(part);
      return attempt(
          url, target, part, expectedSize, expectedSha256, progress, cancel, transferred);
    }
    refuse(url, status);
    if (ex.sink() == null) {
      // A 206 that did not continue where the part file ends: start over.
      Files.deleteIfExists(part);
      return attempt(
          url, target, part, expectedSize, expectedSha256, progress, cancel, transferred);
    }
    transferred[0] += ex.received();
    long size = ex.response().body();
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
    Long announced = remote.size() != null ? remote.size() : ex.total();
    if (expectedSize != null && announced != null && !expectedSize.equals(announced)) {
      // Not a transfer problem: retrying would fetch the same wrong size again.
      Files.deleteIfExists(part);
      throw new ModelLoadException(
          "download of "
              + url
              + ": the catalog expects "
              + expectedSize
              + " bytes but the server announces "
              + announced
              + " (the catalog entry is out of date, or the file changed at that revision)");
    }
    Long want = expectedSize != null ? expectedSize : announced;
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
    String sha = Digests.hex(ex.sink().digest());
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
}

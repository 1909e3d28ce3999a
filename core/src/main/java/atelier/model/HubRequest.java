package atelier.model;

import atelier.CancelToken;
import atelier.CancelledException;
import atelier.ModelLoadException;
import atelier.Version;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
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
 * One GET of a hub file for {@link HttpDownloader}: follows redirects by hand (so the hub's own
 * headers are read and the token goes to the hub's host only), streams a 200 or a matching 206 into
 * the part file, and watches the transfer for stalls and cancellation. Thread-safe.
 */
final class HubRequest {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern HEX40 = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final int MAX_REDIRECTS = 10;
  private static final long POLL_MS = 200;

  /** What the hub's headers said about a file. */
  record Remote(String sha256, String gitSha1, Long size, String commit) {}

  /** A response with its headers' facts and, for 200/206, the sink that wrote its body. */
  record Exchange(
      HttpResponse<Long> response, PartFileSink sink, Remote remote, Long total, long have) {
    long received() {
      return sink == null ? 0 : response.body() - (response.statusCode() == 206 ? have : 0);
    }
  }

  private final HttpClient client;
  private final DownloadSettings settings;

  HubRequest(HttpClient client, DownloadSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** One request, following redirects; the body of a 200/206 lands in the part file. */
  Exchange send(
      URI url,
      Path part,
      long have,
      MessageDigest seeded,
      HttpDownloader.Progress progress,
      CancelToken cancel)
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
      HttpDownloader.Progress progress,
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
}

package atelier.model;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How model files are fetched: the hub address, the access token, the proxy, timeouts and retries.
 * Immutable. The token is sent only to the hub's own host (never to the CDN it redirects to), and
 * {@link #toString()} never shows it.
 *
 * @param endpoint the Hugging Face hub, e.g. {@code https://huggingface.co}
 * @param token an access token for gated or private repositories, or null
 * @param proxy the proxy rules, or null to connect directly
 * @param connectTimeout how long to wait for a connection
 * @param stallTimeout how long a transfer may go without receiving a byte before it is retried
 * @param retries how many times an interrupted transfer is resumed before the pull fails
 * @param retryDelay the wait before the first retry; it doubles for each further one
 */
public record DownloadSettings(
    URI endpoint,
    String token,
    EnvProxySelector proxy,
    Duration connectTimeout,
    Duration stallTimeout,
    int retries,
    Duration retryDelay) {

  /** The public Hugging Face hub. */
  public static final URI HUGGING_FACE = URI.create("https://huggingface.co");

  public DownloadSettings {
    if (endpoint == null
        || endpoint.getHost() == null
        || !(endpoint.getScheme().equals("https") || endpoint.getScheme().equals("http"))) {
      throw new IllegalArgumentException(
          "endpoint: expected an http(s) address like https://huggingface.co, found " + endpoint);
    }
    if (token != null && token.isBlank()) {
      token = null;
    }
    if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException(
          "connectTimeout: expected a positive duration, found " + connectTimeout);
    }
    if (stallTimeout == null || stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException(
          "stallTimeout: expected a positive duration, found " + stallTimeout);
    }
    if (retries < 0) {
      throw new IllegalArgumentException("retries: expected >= 0, found " + retries);
    }
    if (retryDelay == null || retryDelay.isNegative()) {
      throw new IllegalArgumentException(
          "retryDelay: expected a non-negative duration, found " + retryDelay);
    }
  }

  /** Direct connections to {@code endpoint}, no token, default timeouts and three retries. */
  public static DownloadSettings of(URI endpoint) {
    return new DownloadSettings(
        endpoint,
        null,
        null,
        Duration.ofSeconds(20),
        Duration.ofSeconds(60),
        3,
        Duration.ofSeconds(2));
  }

  /**
   * Settings from the environment: {@code HF_ENDPOINT} (else {@code configuredEndpoint}, else the
   * public hub); {@code HF_TOKEN} (else the token file {@code huggingface-cli login} writes: {@code
   * $HF_TOKEN_PATH}, {@code $HF_HOME/token}, {@code ~/.cache/huggingface/token}); proxies from
   * {@link EnvProxySelector#fromEnvironment}.
   */
  public static DownloadSettings fromEnvironment(
      Map<String, String> env, String configuredEndpoint) {
    String e = env.get("HF_ENDPOINT");
    URI endpoint =
        e != null && !e.isBlank()
            ? URI.create(e.trim())
            : configuredEndpoint != null ? URI.create(configuredEndpoint) : HUGGING_FACE;
    DownloadSettings base = of(endpoint);
    return new DownloadSettings(
        endpoint,
        token(env),
        EnvProxySelector.fromEnvironment(env),
        base.connectTimeout(),
        base.stallTimeout(),
        base.retries(),
        base.retryDelay());
  }

  /** A copy with other retry settings (tests use no delay). */
  public DownloadSettings withRetries(int retries, Duration retryDelay) {
    return new DownloadSettings(
        endpoint, token, proxy, connectTimeout, stallTimeout, retries, retryDelay);
  }

  /** A copy with another stall timeout. */
  public DownloadSettings withStallTimeout(Duration stallTimeout) {
    return new DownloadSettings(
        endpoint, token, proxy, connectTimeout, stallTimeout, retries, retryDelay);
  }

  /** A copy with a token (null for none). */
  public DownloadSettings withToken(String token) {
    return new DownloadSettings(
        endpoint, token, proxy, connectTimeout, stallTimeout, retries, retryDelay);
  }

  /** A copy with proxy rules (null for direct connections). */
  public DownloadSettings withProxy(EnvProxySelector proxy) {
    return new DownloadSettings(
        endpoint, token, proxy, connectTimeout, stallTimeout, retries, retryDelay);
  }

  private static String token(Map<String, String> env) {
    for (String name : new String[] {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
      String t = env.get(name);
      if (t != null && !t.isBlank()) {
        return t.trim();
      }
    }
    Path file;
    if (env.get("HF_TOKEN_PATH") != null) {
      file = Path.of(env.get("HF_TOKEN_PATH"));
    } else if (env.get("HF_HOME") != null) {
      file = Path.of(env.get("HF_HOME"), "token");
    } else {
      String xdg = env.get("XDG_CACHE_HOME");
      file =
          (xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
              .resolve("huggingface")
              .resolve("token");
    }
    try {
      if (Files.isRegularFile(file)) {
        String t = Files.readString(file, StandardCharsets.UTF_8).trim();
        return t.isEmpty() ? null : t;
      }
    } catch (IOException e) {
      // An unreadable token file is the same as none; gated downloads will say so.
    }
    return null;
  }

  @Override
  public String toString() {
    return "DownloadSettings[endpoint="
        + endpoint
        + ", token="
        + (token == null ? "none" : "(set)")
        + ", proxy="
        + proxy
        + ", connectTimeout="
        + connectTimeout
        + ", stallTimeout="
        + stallTimeout
        + ", retries="
        + retries
        + "]";
  }
}

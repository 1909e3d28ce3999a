package atelier.model;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses a proxy the way curl and most command-line tools do, from {@code https_proxy} / {@code
 * HTTPS_PROXY}, {@code http_proxy} / {@code HTTP_PROXY}, {@code all_proxy} / {@code ALL_PROXY} and
 * {@code no_proxy} / {@code NO_PROXY}; Java itself reads none of them. Immutable and thread-safe.
 *
 * <p>{@code NO_PROXY} is a comma-separated list: {@code *} (everything), host names (matching the
 * host and its subdomains; a leading {@code .} or {@code *.} is allowed), IP addresses, each
 * optionally with {@code :port}.
 */
public final class EnvProxySelector extends ProxySelector {
  private final URI http;
  private final URI https;
  private final List<String> noProxy;

  /**
   * A selector with explicit settings.
   *
   * @param http proxy for http:// addresses, or null
   * @param https proxy for https:// addresses, or null
   * @param noProxy the {@code NO_PROXY} list, or null
   */
  public EnvProxySelector(URI http, URI https, String noProxy) {
    this.http = http;
    this.https = https;
    List<String> list = new ArrayList<>();
    if (noProxy != null) {
      for (String s : noProxy.split(",")) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          list.add(t);
        }
      }
    }
    this.noProxy = List.copyOf(list);
  }

  /**
   * The selector for an environment, or null when it names no proxy.
   *
   * @throws IllegalArgumentException naming the variable when a proxy address is malformed
   */
  public static EnvProxySelector fromEnvironment(Map<String, String> env) {
    URI all = proxy(env, "all_proxy");
    URI http = proxy(env, "http_proxy");
    URI https = proxy(env, "https_proxy");
    http = http != null ? http : all;
    https = https != null ? https : all;
    if (http == null && https == null) {
      return null;
    }
    return new EnvProxySelector(http, https, first(env, "no_proxy"));
  }

  private static URI proxy(Map<String, String> env, String name) {
    String v = first(env, name);
    if (v == null) {
      return null;
    }
    String withScheme = v.contains("://") ? v : "http://" + v;
    try {
      URI u = URI.create(withScheme);
      if (u.getHost() == null) {
        throw new IllegalArgumentException("no host");
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          name.toUpperCase(Locale.ROOT)
              + ": expected a proxy address like http://host:3128, found '"
              + v
              + "'",
          e);
    }
  }

  /** The lower-case variable wins over the upper-case one, as in curl. */
  private static String first(Map<String, String> env, String lower) {
    String v = env.get(lower);
    if (v == null || v.isBlank()) {
      v = env.get(lower.toUpperCase(Locale.ROOT));
    }
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** The proxy address (scheme, user info, host, port) used for {@code uri}, or null for direct. */
  public URI proxyFor(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    URI p = scheme.equals("https") ? https : scheme.equals("http") ? http : null;
    return p == null || bypass(uri) ? null : p;
  }

  /** The {@code user:password} of the proxy addresses (https first), or null. */
  String userInfo() {
    for (URI p : new URI[] {https, http}) {
      if (p != null && p.getRawUserInfo() != null) {
        return java.net.URLDecoder.decode(
            p.getRawUserInfo(), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** Answers a proxy's authentication challenge with the user:password of its address. */
  java.net.Authenticator authenticator() {
    return new java.net.Authenticator() {
      @Override
      protected java.net.PasswordAuthentication getPasswordAuthentication() {
        String userInfo = getRequestorType() == RequestorType.PROXY ? userInfo() : null;
        if (userInfo == null) {
          return null;
        }
        String[] up = userInfo.split(":", 2);
        return new java.net.PasswordAuthentication(
            up[0], (up.length > 1 ? up[1] : "").toCharArray());
      }
    };
  }

  @Override
  public List<Proxy> select(URI uri) {
    URI p = proxyFor(uri);
    if (p == null) {
      return List.of(Proxy.NO_PROXY);
    }
    int port = p.getPort() > 0 ? p.getPort() : p.getScheme().equals("https") ? 443 : 80;
    return List.of(
        new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(p.getHost(), port)));
  }

  @Override
  public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
    // Nothing to remember: the download reports the failure.
  }

  boolean bypass(URI uri) {
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    for (String entry : noProxy) {
      if (entry.equals("*")) {
        return true;
      }
      String name = entry;
      int entryPort = -1;
      int colon = entry.lastIndexOf(':');
      if (colon > 0 && entry.indexOf(':') == colon && entry.substring(colon + 1).matches("\\d+")) {
        name = entry.substring(0, colon);
        entryPort = Integer.parseInt(entry.substring(colon + 1));
      }
      if (entryPort > 0 && entryPort != port) {
        continue;
      }
      name = name.startsWith("*.") ? name.substring(1) : name;
      String bare = name.startsWith(".") ? name.substring(1) : name;
      if (host.equals(bare) || host.endsWith("." + bare)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    // Never show user:password from a proxy address.
    return "EnvProxySelector[http="
        + redact(http)
        + ", https="
        + redact(https)
        + ", noProxy="
        + noProxy
        + "]";
  }

  static String redact(URI u) {
    if (u == null) {
      return "none";
    }
    return u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
  }
}

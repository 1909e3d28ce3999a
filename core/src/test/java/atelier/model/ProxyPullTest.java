package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.CancelToken;
import atelier.testing.FakeHub;
import atelier.testing.StoreFixtures;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pull through an HTTP proxy chosen from proxy environment variables, and NO_PROXY bypass. */
class ProxyPullTest {
  private static final Set<String> HOP_BY_HOP =
      Set.of("content-length", "transfer-encoding", "connection", "date", "keep-alive");

  @TempDir Path tmp;
  private FakeHub hub;
  private HttpServer proxy;
  private final List<String> proxied = new CopyOnWriteArrayList<>();
  private final HttpClient direct =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeEach
  void start() throws IOException {
    hub = new FakeHub().publish(StoreFixtures.REPO, StoreFixtures.REVISION, StoreFixtures.tinySd());
    proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    proxy.createContext("/", this::forward);
    proxy.setExecutor(Executors.newCachedThreadPool());
    proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.stop(0);
    hub.close();
  }

  /** A forward proxy: requests arrive in absolute form ("GET http://host:port/path"). */
  private void forward(HttpExchange ex) throws IOException {
    URI target = ex.getRequestURI();
    proxied.add(target.getScheme() + "://" + target.getAuthority());
    HttpRequest.Builder rb = HttpRequest.newBuilder(target).GET();
    for (String h : List.of("Range", "Authorization", "User-Agent")) {
      String v = ex.getRequestHeaders().getFirst(h);
      if (v != null) {
        rb.header(h, v);
      }
    }
    try {
      HttpResponse<byte[]> r = direct.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
      for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
        if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))
            && !h.getKey().startsWith(":")) {
          ex.getResponseHeaders().put(h.getKey(), h.getValue());
        }
      }
      byte[] body = r.body();
      ex.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        ex.getResponseBody().write(body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ex.close();
  }

  private ModelManifest pull(Map<String, String> env, String id) {
    EnvProxySelector selector = EnvProxySelector.fromEnvironment(env);
    DownloadSettings s =
        DownloadSettings.of(hub.endpoint()).withRetries(0, Duration.ZERO).withProxy(selector);
    ModelStore store = new ModelStore(tmp.resolve("models"));
    return new ModelPuller(store, new HttpDownloader(s), null)
        .pull(StoreFixtures.entry(id), DownloadListener.NONE, CancelToken.NONE);
  }

  @Test
  void hubAndCdnRequestsGoThroughTheProxyFromHttpProxy() {
    String address = "http://127.0.0.1:" + proxy.getAddress().getPort();
    ModelManifest m = pull(Map.of("http_proxy", address), "via-proxy");
    assertThat(m.complete()).isTrue();
    assertThat(proxied)
        .contains(hub.endpoint().toString(), hub.cdnAddress().toString())
        .hasSize(StoreFixtures.paths().size() + 3);
    assertThat(hub.seen()).hasSize(proxied.size());
  }

  @Test
  void noProxyListsHostsReachedDirectly() {
    String address = "http://127.0.0.1:" + proxy.getAddress().getPort();
    ModelManifest m =
        pull(Map.of("HTTP_PROXY", address, "NO_PROXY", "example.org, 127.0.0.1"), "direct");
    assertThat(m.complete()).isTrue();
    assertThat(proxied).isEmpty();
  }
}

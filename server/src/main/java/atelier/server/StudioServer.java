package atelier.server;

import atelier.AtelierException;
import atelier.BadRequestException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;

/**
 * The HTTP server of {@code atelier serve}: the web UI at {@code /}, the native API under {@code
 * /api/} and the A1111-compatible subset under {@code /sdapi/v1/}, on Javalin (Jetty). Binds the
 * loopback address unless told otherwise, and then requires a token: API clients send {@code
 * Authorization: Bearer T} (or Basic auth with T as the password), a browser opens {@code
 * /?token=T} once and keeps a SameSite=Strict cookie. No CORS headers are sent, so other sites'
 * pages cannot read its answers. Start once, close once.
 */
public final class StudioServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(StudioServer.class.getName());
  static final String COOKIE = "atelier_token";
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How the server listens.
   *
   * @param host the address to bind; anything but a loopback address needs a token
   * @param port the port (0 picks a free one)
   * @param token the shared secret clients must send, or null (loopback only)
   * @param maxRequestBytes the largest request body accepted (uploads are base64 in JSON)
   */
  public record Settings(String host, int port, String token, long maxRequestBytes) {
    /** 64 MiB: a base64 8192×8192 PNG basemap fits. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 64L << 20;

    public Settings {
      if (port < 0 || port > 65535) {
        throw new BadRequestException("--port: expected 0 to 65535, found " + port);
      }
      if (token != null && token.isBlank()) {
        throw new BadRequestException("--token: expected a non-empty secret, found an empty one");
      }
      boolean loopback;
      try {
        loopback = InetAddress.getByName(host).isLoopbackAddress();
      } catch (UnknownHostException e) {
        throw new BadRequestException(
            "--host: expected an address of this machine, found '" + host + "' (unknown host)");
      }
      if (!loopback && token == null) {
        throw new BadRequestException(
            "--host: listening on "
                + host
                + " lets other machines in, so it needs --token T (or $ATELIER_TOKEN); found no"
                + " token");
      }
    }
  }

  private final Javalin app;

  private StudioServer(Javalin app) {
    this.app = app;
  }

  /** Starts serving {@code studio} as {@code settings} say. */
  public static StudioServer start(Studio studio, Settings settings) {
    NativeApi api = new NativeApi(studio);
    A1111Api sd = new A1111Api(studio);
    ModelsApi models =
        new ModelsApi(
            studio,
            () ->
                new atelier.jobs.ModelResolver(
                        studio.home(),
                        System.getenv(),
                        atelier.jobs.ModelResolver.Downloads.of(false))
                    .puller());
    Javalin app =
        Javalin.create(
            config -> {
              config.jetty.host = settings.host();
              config.jetty.port = settings.port();
              config.http.maxRequestSize = settings.maxRequestBytes();
              config.startup.showJavalinBanner = false;
              config.staticFiles.add("/atelier/server/ui", Location.CLASSPATH);
              config.routes.before(ctx -> authorize(ctx, settings.token()));
              api.routes(config.routes);
              models.routes(config.routes);
              sd.routes(config.routes);
              config.routes.exception(Exception.class, StudioServer::error);
            });
    app.start();
    return new StudioServer(app);
  }

  /** The port it listens on. */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  private static void authorize(Context ctx, String token) {
    if (token == null) {
      return;
    }
    String query = ctx.queryParam("token");
    if (query != null) {
      if (!same(query, token)) {
        throw new HttpError(
            401, "unauthorized", "token: expected the server's token, found another");
      }
      ctx.header("Set-Cookie", COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
      if (ctx.method().name().equals("GET") && !ctx.path().startsWith("/api/")) {
        ctx.redirect(ctx.path());
        ctx.skipRemainingHandlers();
      }
      return;
    }
    String auth = ctx.header("Authorization");
    if (auth != null) {
      if (auth.regionMatches(true, 0, "Bearer ", 0, 7) && same(auth.substring(7).trim(), token)) {
        return;
      }
      if (auth.regionMatches(true, 0, "Basic ", 0, 6)) {
        String pair;
        try {
          pair =
              new String(
                  Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          pair = "";
        }
        int colon = pair.indexOf(':');
        if (colon >= 0 && same(pair.substring(colon + 1), token)) {
          return;
        }
      }
    }
    String cookie = ctx.cookie(COOKIE);
    if (cookie != null && same(cookie, token)) {
      return;
    }
    ctx.header(
        "WWW-Authenticate",
        ctx.path().startsWith("/sdapi/") ? "Basic realm=\"atelier\"" : "Bearer realm=\"atelier\"");
    throw new HttpError(
        401,
        "unauthorized",
        "Authorization: expected 'Bearer TOKEN' (or Basic auth with the token as password; in a"
            + " browser open /?token=TOKEN once), found "
            + (auth == null ? "none" : "a wrong token"));
  }

  private static boolean same(String given, String token) {
    return MessageDigest.isEqual(
        given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
  }

  private static void error(Exception e, Context ctx) {
    int status;
    String kind;
    String message = e.getMessage();
    if (e instanceof HttpError h) {
      status = h.status();
      kind = h.kind();
    } else if (e instanceof AtelierException a) {
      kind = a.kind().name().toLowerCase(Locale.ROOT);
      status = a.kind() == AtelierException.Kind.BAD_REQUEST ? 400 : 500;
    } else if (e instanceof HttpResponseException h) {
      status = h.getStatus();
      kind = status == 413 ? "too_large" : "bad_request";
      if (status == 413) {
        message = "request body: expected at most the server's upload limit, found more";
      }
    } else if (e instanceof JobQueueException) {
      status = 503;
      kind = "unavailable";
    } else {
      LOG.log(Level.ERROR, ctx.method() + " " + ctx.path() + " failed", e);
      status = 500;
      kind = "internal";
      message = e.toString();
    }
    ObjectNode body = JSON.createObjectNode();
    ObjectNode err = body.putObject("error");
    err.put("kind", kind);
    err.put("message", message);
    // A1111 clients read "detail".
    body.put("detail", message);
    ctx.status(status).contentType("application/json").result(body.toString());
  }

  /** Writes {@code node} as the JSON answer. */
  static void json(Context ctx, Object node) {
    try {
      ctx.contentType("application/json").result(JSON.writeValueAsString(node));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("serialising an answer failed", e);
    }
  }
}

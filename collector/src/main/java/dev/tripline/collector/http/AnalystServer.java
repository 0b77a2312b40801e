package dev.tripline.collector.http;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.api.NotFoundException;
import dev.tripline.collector.api.OutputControl;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.protect.ProtectionControl;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The analyst surface on one port: the console, the REST API under {@code /api/}, {@code /metrics}
 * (Prometheus) and {@code /health}. Everything but {@code /health} requires the bearer token or a
 * console session; a session's state-changing requests also need the CSRF header.
 *
 * <p>Served by Jetty 12 (core, no servlet API) because the port must hold against clients that have
 * not authenticated: Jetty parses request lines and headers without a thread (a slow client holds a
 * socket, not a worker) and bounds the header size; {@link ConnectionGuard} bounds the time to send
 * a request head or body and keeps room for probes and authenticated clients; bodies are read
 * asynchronously, up to {@code http.max.body.bytes}. Every error, Jetty's own included, is the
 * documented JSON. Limits: docs/operations.md.
 */
public final class AnalystServer implements AutoCloseable {
  private static final byte[] NO_BODY = new byte[0];
  private static final Set<String> API_AREAS = Set.of("alerts", "services", "actions", "sessions");

  private final CollectorConfig config;
  private final PrometheusMeterRegistry registry;
  private final HttpLimits limits;
  private final HttpMetrics metrics;
  private final Auth auth;
  private final AnalystBackend backend;
  private final Routes api;
  private final ProtectionControl protection;
  private final boolean tls;
  private final ConnectionGuard guard;
  private Server server;
  private ServerConnector connector;

  /** The alert outputs, set once they run (they need the console's address for their links). */
  private volatile OutputControl outputs = OutputControl.NONE;

  public AnalystServer(
      CollectorConfig config, AnalystBackend backend, PrometheusMeterRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.limits = HttpLimits.from(config);
    this.metrics = new HttpMetrics(registry);
    this.auth = new Auth(config.get(CollectorKeys.HTTP_TOKEN), limits, metrics);
    this.backend = backend;
    this.protection = new ProtectionControl(config, backend, registry);
    this.api = ApiRoutes.table(backend, auth, protection, () -> outputs);
    this.tls = !config.get(CollectorKeys.HTTP_TLS_KEYSTORE).isEmpty();
    this.guard = new ConnectionGuard(limits, metrics);
  }

  /** Serves {@code /api/outputs} from {@code outputs} (docs/outputs.md). */
  public AnalystServer outputs(OutputControl outputs) {
    this.outputs = outputs;
    return this;
  }

  public AnalystServer start() {
    QueuedThreadPool pool = new QueuedThreadPool(limits.threads(), Math.min(4, limits.threads()));
    pool.setName("tripline-http");
    pool.setDaemon(true);
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(limits.maxHeaderBytes());
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setIdleTimeout(limits.idleTimeout().toMillis());
    // Service names may hold '/' ("Order Service/v2"): clients send it as %2F inside one path
    // segment, and the API splits the raw path before decoding each segment (Routes).
    http.setUriCompliance(
        UriCompliance.DEFAULT.with(
            "tripline",
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
    // A head parsed is a request being served: marked on the thread that parsed it, before the
    // handler is dispatched. Marked only in the handler, a legitimate request whose head was read
    // but whose handler waited for a thread (a busy 2-core machine under a slowloris wave) ranked
    // as an unfinished connection, and a newcomer from its address could evict it unanswered.
    http.addCustomizer(
        (request, responseHeaders) -> {
          guard.headReceived(request);
          return request;
        });
    if (tls) {
      // One certificate for the port: the SNI/Host check only guards servers choosing among
      // several, and would refuse the address `run` prints (127.0.0.1, localhost) whenever the
      // certificate names the host by another name.
      http.addCustomizer(new SecureRequestCustomizer(false));
    }
    HttpConnectionFactory http11 = new HttpConnectionFactory(http);
    if (tls) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setSslContext(
          sslContext(
              config.get(CollectorKeys.HTTP_TLS_KEYSTORE),
              config.get(CollectorKeys.HTTP_TLS_KEYSTORE_PASSWORD)));
      connector =
          new ServerConnector(
              server, 1, 1, new SslConnectionFactory(ssl, http11.getProtocol()), http11);
    } else {
      connector = new ServerConnector(server, 1, 1, http11);
    }
    connector.setHost(config.get(CollectorKeys.HTTP_BIND));
    connector.setPort(config.get(CollectorKeys.HTTP_PORT));
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    // Never stops accepting (a full port would lock out /health); ConnectionGuard evicts instead.
    connector.addBean(guard);
    server.addConnector(connector);
    server.setErrorHandler(new CountingErrorHandler(metrics));
    server.setHandler(new Entry());
    try {
      server.start();
    } catch (Exception e) {
      close();
      throw new IllegalStateException(
          "cannot serve HTTP on "
              + config.get(CollectorKeys.HTTP_BIND)
              + ":"
              + config.get(CollectorKeys.HTTP_PORT)
              + " ("
              + e.getMessage()
              + "); set http.port",
          e);
    }
    return this;
  }

  public int port() {
    return connector.getLocalPort();
  }

  public String baseUrl() {
    String host =
        config.get(CollectorKeys.HTTP_BIND).equals("0.0.0.0")
            ? "127.0.0.1"
            : config.get(CollectorKeys.HTTP_BIND);
    return (tls ? "https" : "http") + "://" + host + ":" + port();
  }

  /** The bearer token (generated when none was configured). */
  public String token() {
    return auth.token();
  }

  public boolean tokenGenerated() {
    return auth.generated();
  }

  /** Reads the body (bounded, without holding a thread while it trickles in), then answers. */
  private final class Entry extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback jettyCallback) {
      guard.headReceived(request);
      Callback callback = guard.onAnswered(request, jettyCallback);
      Map<String, String> query;
      try {
        query = parseQuery(request.getHttpURI().getQuery());
      } catch (IllegalArgumentException e) {
        new Exchange(request, response, callback, Map.of(), NO_BODY)
            .error(400, "malformed query string");
        return true;
      }
      String method = request.getMethod();
      if (!method.equals("POST") && !method.equals("PUT") && !method.equals("PATCH")) {
        answer(new Exchange(request, response, callback, query, NO_BODY));
        return true;
      }
      if (!Request.getPathInContext(request).equals("/login")
          && request.getHeaders().get("Authorization") == null
          && request.getHeaders().get("Cookie") == null) {
        answer(
            new Exchange(
                request, response, callback, query,
                NO_BODY)); // 401 without buffering a stranger's body
        return true;
      }
      if (request.getLength() > limits.maxBodyBytes()) {
        guard.bodyStarted(request);
        tooLarge(request, response, callback, query, 0); // refused before reading any of it
        return true;
      }
      guard.bodyStarted(request);
      BoundedBody.read(
          request,
          limits.maxBodyBytes(),
          bytes -> guard.bodyProgress(request, bytes),
          (bytes, failure) -> {
            if (failure instanceof BoundedBody.TooLarge) {
              tooLarge(request, response, callback, query, limits.maxBodyBytes()); // chunked
              return;
            }
            guard.bodyReceived(request);
            server
                .getThreadPool()
                .execute(
                    () -> {
                      if (failure == null) {
                        answer(new Exchange(request, response, callback, query, bytes));
                      } else {
                        callback.failed(failure); // the client went away or timed out mid-body
                      }
                    });
          });
      return true;
    }
  }

  /**
   * Answers 413 at once, then drains what the client still sends (up to {@link
   * HttpLimits#drainBytes}, {@code seen} of it read already, for at most {@code http.idle.timeout})
   * so the answer is not lost to a reset; the body's phase, with its minimum rate, lasts until the
   * drain ends.
   */
  private void tooLarge(
      Request request, Response response, Callback callback, Map<String, String> query, long seen) {
    metrics.rejected(HttpMetrics.BODY_TOO_LARGE);
    Callback drained =
        request.getLength() > limits.drainBytes()
            ? callback // too much to drain: closed with the rest unread
            : Drain.after(
                request, seen, limits, bytes -> guard.bodyProgress(request, bytes), callback);
    Exchange ex = new Exchange(request, response, drained, query, NO_BODY);
    ex.addHeader(HttpHeader.CONNECTION.asString(), "close");
    ex.error(
        413, "request body larger than " + limits.maxBodyBytes() + " bytes (http.max.body.bytes)");
  }

  private void answer(Exchange ex) {
    try {
      route(ex);
    } catch (HttpError e) {
      if (e.header != null) ex.addHeader(e.header, e.headerValue);
      if (e.metric != null) metrics.rejected(e.metric);
      ex.error(e.status, e.getMessage());
    } catch (Auth.Throttled e) {
      ex.addHeader("Retry-After", Long.toString(e.retryAfterSeconds));
      ex.error(429, e.getMessage());
    } catch (NotFoundException e) {
      ex.error(404, e.getMessage());
    } catch (IllegalArgumentException e) {
      ex.error(400, e.getMessage());
    } catch (RuntimeException e) {
      ex.error(500, "internal error: " + e.getClass().getSimpleName());
    } catch (Error e) {
      ex.fail(e);
      throw e;
    }
  }

  private void route(Exchange ex) {
    String path = ex.path;
    metrics.request(ex.method, area(path));
    if (path.equals("/health")) {
      health(ex);
      return;
    }
    if (path.equals("/login") && ex.method.equals("POST")) {
      login(ex);
      return;
    }
    if (path.equals("/login") || path.equals("/console.css")) {
      resource(ex, path.equals("/login") ? "login.html" : "console.css");
      return;
    }
    Auth.Principal who = auth.authenticate(ex);
    if (who != null) {
      guard.proven(ex.request);
    }
    if (who == null) {
      if (path.startsWith("/api/") || path.equals("/metrics") || path.equals("/logout")) {
        ex.error(401, "authentication required: Authorization: Bearer <token>");
      } else {
        ex.redirect("/login");
      }
      return;
    }
    if (!ex.method.equals("GET") && who.cookieSession() && !Auth.csrfOk(ex, who.session())) {
      ex.error(403, "missing or wrong X-Tripline-CSRF header");
      return;
    }
    switch (path) {
      case "/metrics" -> ex.send(200, "text/plain; version=0.0.4", registry.scrape());
      case "/", "/index.html" -> resource(ex, "index.html");
      case "/console.js" -> resource(ex, "console.js");
      case "/logout" -> logout(ex, who);
      default -> {
        if (path.startsWith("/api/")) {
          if (!ex.rawPath.startsWith("/api/")) {
            throw new HttpError(404, "no such endpoint (encoded '/api/')");
          }
          api.dispatch(ex, ex.rawPath.substring(5), who); // segments decoded one by one
        } else {
          ex.error(404, "no such page");
        }
      }
    }
  }

  /** For probes: no token, never throttled; 503 with the reason when detection is stuck. */
  private void health(Exchange ex) {
    AnalystBackend.Health health = backend.health();
    ex.json(
        health.up() ? 200 : 503,
        health.up() ? Map.of("status", "UP") : Map.of("status", "DOWN", "reason", health.reason()));
  }

  private void login(Exchange ex) {
    Auth.Session session =
        auth.login(
            ex, parseQuery(new String(ex.body, StandardCharsets.UTF_8)).getOrDefault("token", ""));
    if (session == null) {
      ex.redirect("/login?failed");
      return;
    }
    guard.proven(ex.request);
    String secure = tls ? "; Secure" : "";
    ex.addHeader(
        "Set-Cookie",
        Auth.SESSION_COOKIE + "=" + session.id() + "; Path=/; HttpOnly; SameSite=Strict" + secure);
    ex.addHeader(
        "Set-Cookie",
        Auth.CSRF_COOKIE + "=" + session.csrf() + "; Path=/; SameSite=Strict" + secure);
    ex.redirect("/");
  }

  private void logout(Exchange ex, Auth.Principal who) {
    if (!ex.method.equals("POST")) {
      throw new HttpError(405, "method not allowed; use POST", "Allow", "POST");
    }
    if (who.cookieSession()) {
      auth.logout(who.session());
    }
    String secure = tls ? "; Secure" : "";
    ex.addHeader(
        "Set-Cookie",
        Auth.SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + secure);
    ex.addHeader("Set-Cookie", Auth.CSRF_COOKIE + "=; Path=/; Max-Age=0; SameSite=Strict" + secure);
    ex.json(
        200, Map.of("status", who.cookieSession() ? "signed out" : "no session (bearer token)"));
  }

  static Map<String, String> parseQuery(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        q.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  /** A bounded tag value: a client cannot mint metric series with invented paths. */
  private static String area(String path) {
    if (path.startsWith("/api/")) {
      String rest = path.substring(5);
      int slash = rest.indexOf('/');
      String first = slash < 0 ? rest : rest.substring(0, slash);
      return API_AREAS.contains(first) ? "api/" + first : "api/other";
    }
    return path.equals("/metrics") || path.equals("/health") ? path.substring(1) : "console";
  }

  private void resource(Exchange ex, String name) {
    try (InputStream in = AnalystServer.class.getResourceAsStream("/console/" + name)) {
      if (in == null) {
        ex.error(404, "missing " + name);
        return;
      }
      String type =
          name.endsWith(".js")
              ? "text/javascript"
              : name.endsWith(".css") ? "text/css" : "text/html";
      ex.addHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
      ex.addHeader("X-Content-Type-Options", "nosniff");
      ex.send(200, type + "; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SSLContext sslContext(String keystore, String password) {
    try (InputStream in = Files.newInputStream(Path.of(keystore))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password.toCharArray());
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password.toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "configuration key 'http.tls.keystore': cannot load " + keystore + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    guard.close();
    protection.close();
    if (server != null) {
      try {
        server.stop();
      } catch (Exception e) {
        // stopping anyway: nothing to tell the caller
      }
    }
  }
}

package dev.tripline.collector.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.json.Json;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Severity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The analyst surface on one port: the console, the REST API under {@code /api/}, {@code /metrics}
 * (Prometheus) and {@code /health}. Everything but {@code /health} requires the bearer token or a
 * console session; a session's state-changing requests also need the CSRF header.
 */
public final class AnalystServer implements AutoCloseable {
  private static final Pattern STRING_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final CollectorConfig config;
  private final AnalystBackend backend;
  private final PrometheusMeterRegistry registry;
  private final Auth auth;
  private HttpServer server;

  public AnalystServer(CollectorConfig config, AnalystBackend backend, PrometheusMeterRegistry registry) {
    this.config = config;
    this.backend = backend;
    this.registry = registry;
    this.auth = new Auth(config.get("http.token"));
  }

  public AnalystServer start() {
    try {
      InetSocketAddress address = new InetSocketAddress(config.get("http.bind"), config.getInt("http.port"));
      String keystore = config.get("http.tls.keystore");
      if (keystore.isEmpty()) {
        server = HttpServer.create(address, 64);
      } else {
        HttpsServer https = HttpsServer.create(address, 64);
        https.setHttpsConfigurator(new HttpsConfigurator(sslContext(keystore, config.get("http.tls.keystore.password"))));
        server = https;
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot serve HTTP on " + config.get("http.bind") + ":" + config.get("http.port")
          + " (" + e.getMessage() + "); set http.port", e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "tripline-http");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String baseUrl() {
    String host = config.get("http.bind").equals("0.0.0.0") ? "127.0.0.1" : config.get("http.bind");
    return (server instanceof HttpsServer ? "https" : "http") + "://" + host + ":" + port();
  }

  /** The bearer token (generated when none was configured). */
  public String token() {
    return auth.token();
  }

  public boolean tokenGenerated() {
    return auth.generated();
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    Counter.builder("tripline.http.requests").tag("method", method).tag("area", area(path)).register(registry).increment();
    try {
      if (path.equals("/health")) {
        AnalystBackend.Health health = backend.health(); // DOWN with the reason when detection is stuck
        send(ex, health.up() ? 200 : 503, "application/json", health.up() ? "{\"status\":\"UP\"}"
            : "{\"status\":\"DOWN\",\"reason\":" + Json.write(health.reason()) + "}");
        return;
      }
      if (path.equals("/login") && method.equals("POST")) {
        login(ex);
        return;
      }
      if (path.equals("/login") || path.equals("/console.css")) {
        resource(ex, path.equals("/login") ? "login.html" : "console.css");
        return;
      }
      Auth.Principal who = auth.authenticate(ex);
      if (who == null) {
        if (path.startsWith("/api/") || path.equals("/metrics")) {
          error(ex, 401, "authentication required: Authorization: Bearer <token>");
        } else {
          ex.getResponseHeaders().add("Location", "/login");
          send(ex, 303, "text/plain", "");
        }
        return;
      }
      if (!method.equals("GET") && who.cookieSession() && !auth.csrfOk(ex)) {
        error(ex, 403, "missing or wrong X-Tripline-CSRF header");
        return;
      }
      if (path.equals("/metrics")) {
        send(ex, 200, "text/plain; version=0.0.4", registry.scrape());
      } else if (path.equals("/") || path.equals("/index.html")) {
        resource(ex, "index.html");
      } else if (path.equals("/console.js")) {
        resource(ex, "console.js");
      } else if (path.startsWith("/api/")) {
        api(ex, method, path.substring(5), who);
      } else {
        error(ex, 404, "no such page: " + path);
      }
    } catch (MethodNotAllowed e) {
      error(ex, 405, e.getMessage());
    } catch (IllegalArgumentException e) {
      error(ex, 400, e.getMessage());
    } catch (RuntimeException e) {
      error(ex, 500, "internal error: " + e.getClass().getSimpleName());
    }
  }

  private void api(HttpExchange ex, String method, String rest, Auth.Principal who) throws IOException {
    String[] p = rest.split("/");
    Map<String, String> q = query(ex);
    if (p[0].equals("alerts") && p.length == 1) {
      requireMethod(method, "GET");
      AnalystBackend.AlertQuery query = new AnalystBackend.AlertQuery(q.get("service"),
          parseEnum(Severity.class, "severity", q.get("severity")), parseEnum(AlertReason.class, "reason", q.get("reason")),
          parseEnum(AlertState.class, "state", q.get("state")), Integer.parseInt(q.getOrDefault("limit", "200")));
      json(ex, 200, backend.alerts(query).stream().map(ApiJson::alert).toList());
    } else if (p[0].equals("alerts") && p.length == 2) {
      requireMethod(method, "GET");
      var alert = backend.alert(p[1]);
      if (alert.isEmpty()) {
        error(ex, 404, "no alert " + p[1]);
      } else {
        json(ex, 200, ApiJson.alert(alert.get()));
      }
    } else if (p[0].equals("alerts") && p.length == 3 && (p[2].equals("ack") || p[2].equals("accept"))) {
      requireMethod(method, "POST");
      Map<String, String> body = body(ex);
      backend.submit(AnalystAction.newBuilder()
          .setType(p[2].equals("ack") ? AnalystAction.ActionType.ACKNOWLEDGE : AnalystAction.ActionType.ACCEPT_INTO_PROFILE)
          .setAlertId(p[1]).setActor(who.name()).setComment(body.getOrDefault("comment", "")).build());
      json(ex, 202, Map.of("status", "recorded", "alertId", p[1], "action", p[2]));
    } else if (p[0].equals("services") && p.length == 1) {
      requireMethod(method, "GET");
      json(ex, 200, backend.profiles().stream().map(s -> ApiJson.profile(s, false)).toList());
    } else if (p[0].equals("services") && p.length == 2) {
      requireMethod(method, "GET");
      var profile = backend.profile(p[1]);
      if (profile.isEmpty()) {
        error(ex, 404, "no service " + p[1]);
      } else {
        json(ex, 200, ApiJson.profile(profile.get(), true));
      }
    } else if (p[0].equals("services") && p.length == 3 && p[2].equals("state")) {
      requireMethod(method, "POST");
      String state = body(ex).getOrDefault("state", q.getOrDefault("state", "")).toUpperCase(Locale.ROOT);
      if (!state.equals("LEARNING") && !state.equals("MONITORING")) {
        throw new IllegalArgumentException("field 'state' must be LEARNING or MONITORING");
      }
      backend.submit(AnalystAction.newBuilder()
          .setType(state.equals("LEARNING") ? AnalystAction.ActionType.SET_LEARNING : AnalystAction.ActionType.SET_MONITORING)
          .setService(p[1]).setActor(who.name()).build());
      json(ex, 202, Map.of("status", "recorded", "service", p[1], "state", state));
    } else if (p[0].equals("actions") && p.length == 1) {
      requireMethod(method, "GET");
      json(ex, 200, backend.actions(Integer.parseInt(q.getOrDefault("limit", "100"))).stream().map(ApiJson::action).toList());
    } else {
      error(ex, 404, "no such endpoint: /api/" + rest);
    }
  }

  private void login(HttpExchange ex) throws IOException {
    String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> fields = parseQuery(form);
    Auth.Session session = auth.login(fields.getOrDefault("token", ""));
    if (session == null) {
      ex.getResponseHeaders().add("Location", "/login?failed");
      send(ex, 303, "text/plain", "");
      return;
    }
    String secure = server instanceof HttpsServer ? "; Secure" : "";
    ex.getResponseHeaders().add("Set-Cookie", Auth.SESSION_COOKIE + "=" + session.id() + "; Path=/; HttpOnly; SameSite=Strict" + secure);
    ex.getResponseHeaders().add("Set-Cookie", Auth.CSRF_COOKIE + "=" + session.csrf() + "; Path=/; SameSite=Strict" + secure);
    ex.getResponseHeaders().add("Location", "/");
    send(ex, 303, "text/plain", "");
  }

  private static void requireMethod(String actual, String expected) {
    if (!actual.equals(expected)) {
      throw new MethodNotAllowed(expected);
    }
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String field, String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field '" + field + "' has no value '" + value + "'");
    }
  }

  private static Map<String, String> body(HttpExchange ex) throws IOException {
    String text = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> out = new HashMap<>();
    Matcher m = STRING_FIELD.matcher(text);
    while (m.find()) {
      out.put(m.group(1), m.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
    }
    return out;
  }

  private static Map<String, String> query(HttpExchange ex) {
    String raw = ex.getRequestURI().getRawQuery();
    return raw == null ? Map.of() : parseQuery(raw);
  }

  static Map<String, String> parseQuery(String raw) {
    Map<String, String> q = new HashMap<>();
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  private static String area(String path) {
    if (path.startsWith("/api/")) {
      String rest = path.substring(5);
      int slash = rest.indexOf('/');
      return "api/" + (slash < 0 ? rest : rest.substring(0, slash));
    }
    return path.equals("/metrics") || path.equals("/health") ? path.substring(1) : "console";
  }

  private void resource(HttpExchange ex, String name) throws IOException {
    try (InputStream in = AnalystServer.class.getResourceAsStream("/console/" + name)) {
      if (in == null) {
        error(ex, 404, "missing " + name);
        return;
      }
      String type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css" : "text/html";
      ex.getResponseHeaders().add("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
      ex.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
      send(ex, 200, type + "; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static void json(HttpExchange ex, int status, Object body) throws IOException {
    send(ex, status, "application/json", Json.write(body));
  }

  private static void error(HttpExchange ex, int status, String message) throws IOException {
    if (status == 401) {
      ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"tripline\"");
    }
    json(ex, status, Map.of("error", message, "status", status));
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static SSLContext sslContext(String keystore, String password) {
    try (InputStream in = Files.newInputStream(Path.of(keystore))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password.toCharArray());
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password.toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalArgumentException("configuration key 'http.tls.keystore': cannot load " + keystore + ": " + e.getMessage());
    }
  }

  /** 405 with the allowed method. */
  private static final class MethodNotAllowed extends IllegalArgumentException {
    MethodNotAllowed(String allowed) {
      super("method not allowed; use " + allowed);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
  }
}

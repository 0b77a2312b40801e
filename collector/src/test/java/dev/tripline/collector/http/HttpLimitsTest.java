package dev.tripline.collector.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP port against clients that have not authenticated (issue 12 item 2 and 8): bounded bodies
 * and headers, slow clients that hold no worker, idle timeouts, per-address connection caps,
 * throttled logins, logout and revocation. Real Jetty, real pipeline on the real broker; every wait
 * is bounded by a short, configured timeout.
 */
@ExtendWith(KafkaBroker.class)
class HttpLimitsTest {
  private static final String TOKEN = "limits-token";
  private static final Duration QUICK = Duration.ofSeconds(2);

  @TempDir static Path dir;
  private static PipelineFixtures fixtures;
  private static DetectionPipeline pipeline;

  @BeforeAll
  static void pipeline(EmbeddedKafka kafka) {
    fixtures = new PipelineFixtures(kafka, dir, 1, "http.port", "0", "http.token", TOKEN);
    pipeline =
        fixtures.pipeline(
            dir.resolve("state").toString(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  @AfterAll
  static void stop() {
    pipeline.close();
    fixtures.close();
  }

  private static PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  private static AnalystServer server(PrometheusMeterRegistry registry, String... settings) {
    CollectorConfig c = fixtures.config;
    for (int i = 0; i + 1 < settings.length; i += 2) {
      c = c.with(settings[i], settings[i + 1]);
    }
    return new AnalystServer(c, pipeline.backend(), registry).start();
  }

  @Test
  void aHugeBodyIsRefusedBeforeItIsRead() throws Exception {
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server = server(registry)) {
      // A declared 600 MB body: refused on its headers; only 128 KiB are ever sent.
      long t0 = System.nanoTime();
      String head =
          exchange(
              server.port(),
              "POST /login HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  + "Content-Length: 629145600\r\n\r\n",
              new byte[128 * 1024]);
      assertTrue(head.startsWith("HTTP/1.1 413"), head);
      assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(QUICK) < 0, "answered at once");

      // Chunked, no length: 2 MiB announced by nothing; the server stops at 64 KiB. We send 128 KiB
      // and wait.
      ByteArrayOutputStream chunks = new ByteArrayOutputStream();
      for (int i = 0; i < 16; i++) {
        chunks.write("2000\r\n".getBytes(StandardCharsets.US_ASCII));
        chunks.write(new byte[8192]);
        chunks.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      head =
          exchange(
              server.port(),
              "POST /api/services/shop/state HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                  + TOKEN
                  + "\r\nTransfer-Encoding: chunked\r\n\r\n",
              chunks.toByteArray());
      assertTrue(head.startsWith("HTTP/1.1 413"), head);
      assertTrue(counter(registry, "body_too_large") >= 2, scrape(registry));

      // Without credentials a body is not even buffered: 401 on the headers alone.
      head =
          exchange(
              server.port(),
              "POST /api/services/shop/state HTTP/1.1\r\nHost: t\r\nContent-Length: 60000\r\n\r\n",
              new byte[0]);
      assertTrue(head.startsWith("HTTP/1.1 401"), head);

      // A body just under the limit still works (the limit is not off by one): a 400 for its
      // content, not 413.
      HttpResponse<String> fine =
          send(
              server,
              "POST",
              "/api/services/shop/state",
              TOKEN,
              "{\"state\":\"" + "x".repeat(60_000) + "\"}");
      assertEquals(400, fine.statusCode(), fine.body());
    }
  }

  @Test
  void slowClientsHoldNoWorkerOverHttp() throws Exception {
    try (AnalystServer server = server(registry(), "http.idle.timeout", "1500ms")) {
      List<Socket> slow = slowHeaders(server.port(), 8);
      try {
        assertAnswersQuickly(server);
        // The idle timeout closes them: the server ends each stalled connection on its own.
        for (Socket s : slow) {
          s.setSoTimeout(5000);
          long t0 = System.nanoTime();
          int read = s.getInputStream().read();
          assertTrue(read == -1 || read == 'H', "closed (or answered 408), got " + read);
          assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 5000);
        }
      } finally {
        closeAll(slow);
      }
    }
  }

  @Test
  void slowClientsHoldNoWorkerOverHttps(@TempDir Path tls) throws Exception {
    Path keystore = tls.resolve("http.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "tripline",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    assertEquals(
        0,
        keytool.waitFor(),
        new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    try (AnalystServer server =
        server(
            registry(),
            "http.tls.keystore",
            keystore.toString(),
            "http.tls.keystore.password",
            "changeit")) {
      assertTrue(server.baseUrl().startsWith("https://"));
      List<Socket> slow = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          Socket s = new Socket("127.0.0.1", server.port()); // TCP only: no ClientHello ever
          slow.add(s);
          Socket t = new Socket("127.0.0.1", server.port());
          t.getOutputStream()
              .write(new byte[] {0x16, 0x03, 0x01, 0x00}); // a ClientHello that never finishes
          t.getOutputStream().flush();
          slow.add(t);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
          ks.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        HttpClient https =
            HttpClient.newBuilder()
                .sslContext(ctx)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(QUICK)
                .build();
        HttpResponse<String> health =
            https.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/health"))
                    .timeout(QUICK)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        HttpResponse<String> api =
            https.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/services"))
                    .timeout(QUICK)
                    .header("Authorization", "Bearer " + TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, api.statusCode(), api.body());
      } finally {
        closeAll(slow);
      }
    }
  }

  @Test
  void oversizedHeadersAre431AndCounted() throws Exception {
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server = server(registry, "http.max.header.bytes", "4096")) {
      String head =
          exchange(
              server.port(),
              "GET /health HTTP/1.1\r\nHost: t\r\nX-Junk: " + "a".repeat(8000) + "\r\n\r\n",
              new byte[0]);
      assertTrue(head.startsWith("HTTP/1.1 431"), head);
      StringBuilder many = new StringBuilder("GET /health HTTP/1.1\r\nHost: t\r\n");
      for (int i = 0; i < 2000; i++) many.append("X-").append(i).append(": 1\r\n");
      head = exchange(server.port(), many.append("\r\n").toString(), new byte[0]);
      assertTrue(
          head.startsWith("HTTP/1.1 431"),
          "many small headers are bounded by the same size: " + head);
      assertTrue(counter(registry, "header_too_large") >= 2, scrape(registry));
      assertEquals(200, send(server, "GET", "/health", null, null).statusCode());
    }
  }

  @Test
  void oneAddressCannotTakeEveryConnection() throws Exception {
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server = server(registry, "http.max.connections.per.address", "3")) {
      List<Socket> sockets = slowHeaders(server.port(), 5);
      try {
        await().atMost(QUICK).until(() -> counter(registry, "connections_per_address") >= 2);
        int closed = 0;
        for (Socket s : sockets) {
          s.setSoTimeout(300);
          try {
            if (s.getInputStream().read() == -1) closed++;
          } catch (SocketTimeoutException stillOpen) {
            // one of the three allowed
          } catch (IOException reset) {
            closed++;
          }
        }
        assertEquals(2, closed);
      } finally {
        closeAll(sockets);
      }
      await()
          .atMost(QUICK)
          .ignoreExceptions()
          .untilAsserted(
              () -> assertEquals(200, send(server, "GET", "/health", null, null).statusCode()));
    }
  }

  @Test
  void wrongTokensAreThrottledPerAddress() throws Exception {
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server = server(registry, "http.login.failures", "10")) {
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r = login(server, "guess-" + i);
        assertEquals(303, r.statusCode());
        assertEquals("/login?failed", r.headers().firstValue("Location").orElse(""));
        assertEquals(
            401, send(server, "GET", "/api/services", "bearer-guess-" + i, null).statusCode());
      }
      HttpResponse<String> throttled = login(server, "guess-10");
      assertEquals(429, throttled.statusCode(), throttled.body());
      long retry = Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
      assertEquals(
          429,
          login(server, TOKEN).statusCode(),
          "even the right token waits: guessing must not go on");
      assertEquals(429, send(server, "GET", "/api/services", TOKEN, null).statusCode());
      assertEquals(
          200,
          send(server, "GET", "/health", null, null).statusCode(),
          "health needs no token and is never throttled");
      assertEquals(10.0, counter(registry, "auth_failed"));
      assertTrue(counter(registry, "login_throttled") >= 3, scrape(registry));
    }
  }

  @Test
  void logoutAndRevocationEndSessions() throws Exception {
    try (AnalystServer server = server(registry(), "http.session.ttl", "3s")) {
      Session s = Session.of(login(server, TOKEN));
      assertEquals(200, s.get(server, "/api/services").statusCode());
      assertEquals(
          403,
          s.post(server, "/logout", false).statusCode(),
          "logout needs the CSRF header (no forced sign-out)");
      HttpResponse<String> out = s.post(server, "/logout", true);
      assertEquals(200, out.statusCode(), out.body());
      assertTrue(
          out.headers().allValues("Set-Cookie").stream()
              .anyMatch(c -> c.startsWith("tripline_session=;") && c.contains("Max-Age=0")));
      assertEquals(
          401,
          s.get(server, "/api/services").statusCode(),
          "the session is gone on the server, not only in the browser");

      Session a = Session.of(login(server, TOKEN));
      Session b = Session.of(login(server, TOKEN));
      HttpResponse<String> revoke = send(server, "POST", "/api/sessions/revoke", TOKEN, "");
      assertEquals(200, revoke.statusCode(), revoke.body());
      assertTrue(revoke.body().contains("\"sessions\":2"), revoke.body());
      assertEquals(401, a.get(server, "/api/services").statusCode());
      assertEquals(401, b.get(server, "/api/services").statusCode());
      assertEquals(
          200,
          send(server, "GET", "/api/services", TOKEN, null).statusCode(),
          "the bearer token still works");

      Session c = Session.of(login(server, TOKEN));
      assertEquals(200, c.get(server, "/api/services").statusCode());
      await()
          .atMost(Duration.ofSeconds(8))
          .untilAsserted(() -> assertEquals(401, c.get(server, "/api/services").statusCode()));
    }
  }

  // --- helpers
  // -------------------------------------------------------------------------------------

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(QUICK)
          .build();

  private static void assertAnswersQuickly(AnalystServer server) throws Exception {
    long t0 = System.nanoTime();
    assertEquals(200, send(server, "GET", "/health", null, null).statusCode());
    HttpResponse<String> api = send(server, "GET", "/api/services", TOKEN, null);
    assertEquals(200, api.statusCode(), api.body());
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(QUICK) < 0);
  }

  static HttpResponse<String> send(
      AnalystServer server, String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
            .timeout(QUICK)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (body != null) b.header("Content-Type", "application/json");
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> login(AnalystServer server, String token) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/login"))
            .timeout(QUICK)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("token=" + token))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A console session: its cookies and CSRF value from a login answer. */
  private record Session(String cookies, String csrf) {
    static Session of(HttpResponse<String> login) {
      assertEquals(303, login.statusCode(), login.body());
      List<String> pairs =
          login.headers().allValues("Set-Cookie").stream().map(c -> c.split(";")[0]).toList();
      String csrf =
          pairs.stream()
              .filter(p -> p.startsWith("tripline_csrf="))
              .findFirst()
              .orElseThrow()
              .substring(14);
      return new Session(String.join("; ", pairs), csrf);
    }

    HttpResponse<String> get(AnalystServer server, String path) throws Exception {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
              .timeout(QUICK)
              .header("Cookie", cookies)
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(AnalystServer server, String path, boolean withCsrf)
        throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
              .timeout(QUICK)
              .header("Cookie", cookies)
              .POST(HttpRequest.BodyPublishers.noBody());
      if (withCsrf) b.header("X-Tripline-CSRF", csrf);
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  /** Sockets that sent part of a request line and headers, and then nothing. */
  private static List<Socket> slowHeaders(int port, int n) throws IOException {
    List<Socket> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Socket s = new Socket("127.0.0.1", port);
      s.getOutputStream()
          .write(
              "GET /api/services HTTP/1.1\r\nHost: t\r\nX-Slow: "
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      out.add(s);
    }
    return out;
  }

  private static void closeAll(List<Socket> sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /**
   * Sends a raw request head and {@code body} (stopping quietly if the server closes), and returns
   * the answer's head.
   */
  private static String exchange(int port, String head, byte[] body) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout((int) QUICK.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      try {
        out.write(body);
        out.flush();
      } catch (IOException closedByServer) {
        // the server may answer and close before taking all of it: that is the point
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) > 0) {
        answer.write(buf, 0, n);
        if (answer.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) break;
      }
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }

  static double counter(PrometheusMeterRegistry registry, String reason) {
    Matcher m =
        Pattern.compile("tripline_http_rejected_total\\{reason=\"" + reason + "\"} ([0-9.E]+)")
            .matcher(registry.scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  private static String scrape(PrometheusMeterRegistry registry) {
    return Arrays.stream(registry.scrape().split("\n"))
        .filter(l -> l.startsWith("tripline_http"))
        .toList()
        .toString();
  }
}

package dev.tripline.collector.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.json.Json;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
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
import java.util.Map;
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
  void aClientStillSendingABodyOverTheLimitGetsItsAnswer() throws Exception {
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server = server(registry)) {
      // 2 MiB declared: past the 64 KiB limit, under the drain. The 413 goes out on the headers;
      // the client reads it and only then sends the body. Closed unread, the socket would answer
      // that upload with a reset, and a client still writing (the JDK's HttpClient on a loaded
      // machine) reports a broken pipe instead of the 413; drained, every byte is taken.
      byte[] body = new byte[2 << 20];
      try (Socket s = uploader(server)) {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        putHead(out, "Content-Length: " + body.length);
        await413(in);
        for (int at = 0; at < body.length; at += 16 << 10) {
          out.write(body, at, 16 << 10); // every piece taken: a reset here fails the test
          out.flush();
        }
        s.shutdownOutput();
        in.readAllBytes(); // then the server closes
      }
      // An endless chunked body is drained to 8 MiB (HttpLimits.drainBytes), then closed unread.
      try (Socket s = uploader(server)) {
        OutputStream out = s.getOutputStream();
        putHead(out, "Transfer-Encoding: chunked");
        byte[] size = "4000\r\n".getBytes(StandardCharsets.US_ASCII); // 16 KiB, then CRLF
        byte[] chunk = new byte[size.length + (16 << 10) + 2];
        System.arraycopy(size, 0, chunk, 0, size.length);
        chunk[chunk.length - 2] = '\r';
        chunk[chunk.length - 1] = '\n';
        long sent = 0;
        try {
          while (sent < 256L << 20) {
            out.write(chunk);
            sent += 16 << 10;
          }
        } catch (IOException closedByServer) {
          // expected: the drain ended
        }
        assertTrue(sent < 256L << 20, "the server never stopped reading: " + sent);
        assertTrue(sent >= 8L << 20, "closed before the drain's 8 MiB: " + sent);
      }
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r =
            send(server, "PUT", "/api/services/shop/protection", TOKEN, "x".repeat(2 << 20));
        assertEquals(413, r.statusCode(), r.body());
      }
      assertEquals(7.0, counter(registry, "body_too_large"), scrape(registry));
    }
  }

  @Test
  void aDrainEndsAfterTheIdleTimeoutHoweverTheBytesTrickle() throws Exception {
    try (AnalystServer server = server(registry(), "http.idle.timeout", "1500ms");
        Socket s = uploader(server)) {
      // 8 MiB declared (the drain's bound): the 413 goes out, then the client trickles 1 KiB
      // every 20 ms, never idle and never under the minimum rate, for 400 s if let. The drain ends
      // 1.5 s (the idle timeout) after the answer and the connection closes with the rest unread.
      OutputStream out = s.getOutputStream();
      putHead(out, "Content-Length: " + (8 << 20));
      await413(s.getInputStream());
      long deadline = System.nanoTime() + Patience.WAIT.toNanos();
      long sent = 0;
      boolean closed = false;
      while (!closed && System.nanoTime() < deadline) {
        try {
          out.write(new byte[1024]);
          out.flush();
          sent += 1024;
          Thread.sleep(20); // the slow client's pace, not a wait for the server
        } catch (IOException closedByServer) {
          closed = true;
        }
      }
      assertTrue(closed, "the drain went on past the idle timeout: " + sent + " bytes taken");
      assertTrue(sent < 8 << 20, "closed only at the drain's byte bound: " + sent);
    }
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

  /**
   * Issue 21 case 6 over HTTP: 288 sockets from 9 addresses trickle a request head a byte at a time
   * (each byte well inside the idle timeout) and reconnect when cut. /health and an authenticated
   * call keep answering, from a fresh address and from one of the attacker's own.
   */
  @Test
  void slowlorisFromManyAddressesStarvesNobodyOverHttp() throws Exception {
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server =
        server(registry, "http.header.timeout", "1s", "http.idle.timeout", "60s")) {
      slowloris(server, registry, null);
    }
  }

  /**
   * Issue 21 cases 6 and 8 over HTTPS: the same attack as unfinished ClientHellos; and the port
   * answers at the address `run` prints (127.0.0.1) and at localhost although the certificate names
   * neither (no "400 Invalid SNI").
   */
  @Test
  void slowlorisFromManyAddressesStarvesNobodyOverHttps(@TempDir Path dir) throws Exception {
    Path keystore = RawHttp.keystore(dir, "tripline.example", "dns:tripline.example");
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server =
        server(
            registry,
            "http.tls.keystore",
            keystore.toString(),
            "http.tls.keystore.password",
            "changeit",
            "http.header.timeout",
            "1s",
            "http.idle.timeout",
            "60s")) {
      assertTrue(server.baseUrl().startsWith("https://127.0.0.1:"), server.baseUrl());
      RawHttp https = new RawHttp(server.port(), RawHttp.trusting(keystore), 5000);
      for (String host : List.of("127.0.0.1", "localhost")) {
        RawHttp.Answer a =
            https.send(
                RawHttp.loopback(1),
                host + ":" + server.port(),
                host.equals("localhost") ? "localhost" : null,
                "GET /api/services HTTP/1.1\r\n",
                TOKEN,
                null);
        assertEquals(200, a.status(), host + ": " + a.head() + a.body());
      }
      slowloris(server, registry, RawHttp.trusting(keystore));
    }
  }

  private static void slowloris(
      AnalystServer server, PrometheusMeterRegistry registry, SSLContext tls) throws Exception {
    List<java.net.InetAddress> attackers = new ArrayList<>();
    for (int i = 2; i <= 10; i++) attackers.add(RawHttp.loopback(i));
    RawHttp probe = new RawHttp(server.port(), tls, 5000);
    try (Slowloris attack =
        new Slowloris(
            server.port(),
            tls != null,
            attackers,
            32,
            Duration.ofMillis(200),
            Duration.ofSeconds(60),
            3000)) {
      await().atMost(Patience.WAIT).until(() -> attack.opened() >= 288);
      int probes = 0;
      long until = System.nanoTime() + Duration.ofSeconds(45).toNanos();
      // Probe until the server has cut at least every socket of the first wave (each cut while
      // it was still sending: the header deadline, not the idle timeout), and at least 3 rounds.
      while ((attack.cut() < 288 || probes < 3) && System.nanoTime() < until) {
        for (int from : new int[] {1, 2}) { // a fresh address, and one holding 32 slow sockets
          long t0 = System.nanoTime();
          RawHttp.Answer health = probe.get(RawHttp.loopback(from), "/health", null);
          RawHttp.Answer api = probe.get(RawHttp.loopback(from), "/api/services", TOKEN);
          long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
          assertEquals(200, health.status(), "health from 127.0.0." + from + ": " + health.head());
          assertEquals(200, api.status(), "API from 127.0.0." + from + ": " + api.head());
          assertTrue(ms < 5000, "answered in " + ms + " ms during the attack");
        }
        probes++;
      }
      assertTrue(attack.cut() >= 288, "cut " + attack.cut() + " of " + attack.opened());
      // Every socket of the first wave was ended by the server: at its header deadline, or evicted
      // for a newcomer when the port was full (how many of each depends on the machine's pace).
      assertTrue(counter(registry, "header_timeout") > 0, scrape(registry));
      assertTrue(
          counter(registry, "header_timeout") + counter(registry, "connection_evicted") >= 288,
          scrape(registry));
    }
  }

  /** A body trickled below http.min.body.rate is cut, although each byte comes well in time. */
  @Test
  void aTrickledBodyIsCutAtTheMinimumRate() throws Exception {
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server =
            server(registry, "http.header.timeout", "1s", "http.idle.timeout", "60s");
        Socket s = new Socket("127.0.0.1", server.port())) {
      s.getOutputStream()
          .write(
              ("POST /api/services/shop/state HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                      + TOKEN
                      + "\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{")
                  .getBytes(StandardCharsets.US_ASCII));
      long t0 = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                try {
                  s.getOutputStream().write(' '); // one byte per poll: 5 bytes/s
                  s.getOutputStream().flush();
                  return false;
                } catch (IOException cut) {
                  return true;
                }
              });
      long seconds = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
      assertTrue(seconds < 30, "cut after " + seconds + " s, long before the 60 s idle timeout");
      assertEquals(1.0, counter(registry, "body_too_slow"), scrape(registry));
    }
  }

  /**
   * Issue 21 case 8: every error the server produces — Jetty's own (malformed request line, URI and
   * headers too large, a failure escaping a handler) as well as ours — is the documented JSON
   * {"error": "...", "status": N}, never an HTML page or an exception's message.
   */
  @Test
  void everyErrorIsTheDocumentedJson() throws Exception {
    AnalystBackend real = pipeline.backend();
    AnalystBackend failing =
        (AnalystBackend)
            Proxy.newProxyInstance(
                AnalystBackend.class.getClassLoader(),
                new Class<?>[] {AnalystBackend.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("profile") && "boom-error".equals(args[0])) {
                    throw new AssertionError("secret detail"); // escapes our handler: Jetty's 500
                  }
                  if (method.getName().equals("profile") && "boom-runtime".equals(args[0])) {
                    throw new IllegalStateException("secret detail");
                  }
                  try {
                    return method.invoke(real, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    try (AnalystServer server = new AnalystServer(fixtures.config, failing, registry()).start()) {
      int port = server.port();
      String auth = "Authorization: Bearer " + TOKEN + "\r\n";
      assertJsonError(raw(port, "GARBAGE\r\n\r\n"), 400);
      assertJsonError(raw(port, "GET /health HTTP/1.1\r\n\r\n"), 400); // no Host
      assertJsonError(raw(port, "GET /api/nope HTTP/1.1\r\nHost: t\r\n" + auth + "\r\n"), 404);
      assertJsonError(
          raw(port, "DELETE /api/alerts/x/ack HTTP/1.1\r\nHost: t\r\n" + auth + "\r\n"), 405);
      assertJsonError(
          raw(
              port,
              "POST /api/alerts/x/ack HTTP/1.1\r\nHost: t\r\n"
                  + auth
                  + "Content-Length: 99999999\r\n\r\n"),
          413);
      assertJsonError(raw(port, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: t\r\n\r\n"), 414);
      assertJsonError(
          raw(port, "GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n"),
          431);
      RawHttp.Answer escaped =
          raw(port, "GET /api/services/boom-error HTTP/1.1\r\nHost: t\r\n" + auth + "\r\n");
      assertJsonError(escaped, 500);
      RawHttp.Answer ours =
          raw(port, "GET /api/services/boom-runtime HTTP/1.1\r\nHost: t\r\n" + auth + "\r\n");
      assertJsonError(ours, 500);
      assertTrue(!escaped.body().contains("secret") && !ours.body().contains("secret"));
    }
  }

  private static RawHttp.Answer raw(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      s.shutdownOutput(); // one request: the server answers and closes
      return RawHttp.read(s.getInputStream());
    }
  }

  private static void assertJsonError(RawHttp.Answer a, int status) {
    assertEquals(status, a.status(), a.head() + "\n" + a.body());
    assertTrue(String.valueOf(a.header("Content-Type")).startsWith("application/json"), a.head());
    Map<String, Object> body = Json.object(a.body());
    assertEquals((long) status, body.get("status"), a.body());
    assertTrue(body.get("error") instanceof String e && !e.isBlank(), a.body());
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

  /**
   * One address cannot take every connection, nor lock its other clients out: past the per-address
   * cap a new connection evicts that address's slowest unfinished one; a connection that carried an
   * authenticated request is never evicted.
   */
  @Test
  void oneAddressCannotTakeEveryConnection() throws Exception {
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server = server(registry, "http.max.connections.per.address", "3");
        Socket proven = new Socket("127.0.0.1", server.port())) {
      proven.setSoTimeout((int) QUICK.toMillis());
      assertEquals(200, keepAliveGet(proven, "/api/services"), "authenticated, kept alive");
      List<Socket> sockets = slowHeaders(server.port(), 5);
      try {
        await().atMost(QUICK).until(() -> counter(registry, "connection_evicted") >= 3);
        List<Boolean> closed = closed(sockets);
        // The proven connection holds one of the three places: three slow ones went, two stay.
        assertEquals(3, closed.stream().filter(c -> c).count(), closed.toString());
        assertEquals(200, keepAliveGet(proven, "/api/services"), "never evicted");
        // Another client of that address still gets in (evicting a slow socket, not refused).
        assertEquals(200, send(server, "GET", "/health", null, null).statusCode());
        assertEquals(200, keepAliveGet(proven, "/api/services"));
      } finally {
        closeAll(sockets);
      }
    }
  }

  /**
   * A full port keeps accepting: a newcomer evicts the slowest unfinished connection of the busiest
   * address, so neither a fresh client nor a small address is locked out.
   */
  @Test
  void aFullPortEvictsTheBusiestAddressesOldestStranger() throws Exception {
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server =
        server(registry, "http.max.connections", "20", "http.header.timeout", "60s")) {
      List<Socket> busy = slowHeaders(server.port(), RawHttp.loopback(2), 12);
      List<Socket> small = slowHeaders(server.port(), RawHttp.loopback(3), 8);
      List<Socket> newcomers = slowHeaders(server.port(), RawHttp.loopback(4), 2);
      try {
        RawHttp raw = new RawHttp(server.port(), null, (int) QUICK.toMillis());
        assertEquals(200, raw.get(RawHttp.loopback(5), "/health", null).status());
        assertEquals(200, raw.get(RawHttp.loopback(5), "/api/services", TOKEN).status());
        assertTrue(counter(registry, "connection_evicted") >= 3, scrape(registry));
        // Three newcomers found the port full (four when the first probe's close was not yet seen):
        // each evicted one of the busiest address's sockets.
        long evicted = closed(busy).stream().filter(c -> c).count();
        assertTrue(evicted >= 3 && evicted <= 4, "the busiest address pays: " + evicted);
        assertEquals(
            List.of(false, false, false, false, false, false, false, false), closed(small));
        assertEquals(List.of(false, false), closed(newcomers));
      } finally {
        closeAll(busy);
        closeAll(small);
        closeAll(newcomers);
      }
    }
  }

  private static List<Boolean> closed(List<Socket> sockets) throws IOException {
    List<Boolean> closed = new ArrayList<>();
    for (Socket s : sockets) {
      s.setSoTimeout(300);
      try {
        closed.add(s.getInputStream().read() == -1);
      } catch (SocketTimeoutException stillOpen) {
        closed.add(false);
      } catch (IOException reset) {
        closed.add(true);
      }
    }
    return closed;
  }

  /** GET on a kept-alive socket with the token; returns the status (reads the whole answer). */
  private static int keepAliveGet(Socket s, String path) throws IOException {
    s.getOutputStream()
        .write(
            ("GET " + path + " HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) throw new IOException("closed after: " + head);
      head.append((char) c);
    }
    Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
    in.readNBytes(length);
    return Integer.parseInt(head.substring(9, 12));
  }

  /**
   * Issue 21 case 7: wrong tokens from one address are throttled, but the right token from that
   * same address gets in during the burst and right after it (a Prometheus scrape, the CLI).
   */
  @Test
  void theRightTokenAlwaysGetsInWhileWrongOnesAreThrottled() throws Exception {
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server = server(registry, "http.login.failures", "10")) {
      RawHttp raw = new RawHttp(server.port(), null, (int) QUICK.toMillis());
      var guesser = RawHttp.loopback(2);
      int unauthorized = 0;
      int throttled = 0;
      for (int i = 0; i < 20; i++) {
        RawHttp.Answer wrong = raw.get(guesser, "/api/services", "guess-" + i);
        if (wrong.status() == 401) unauthorized++;
        if (wrong.status() == 429) {
          throttled++;
          long retry = Long.parseLong(wrong.header("Retry-After"));
          assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
          assertTrue(wrong.body().contains("\"status\":429"), wrong.body());
        }
        if (i % 4 == 3) { // the right token, from the same address, during the burst
          assertEquals(200, raw.get(guesser, "/api/services", TOKEN).status());
          assertEquals(200, raw.get(guesser, "/metrics", TOKEN).status(), "Prometheus scrapes");
        }
      }
      assertEquals(10, unauthorized, "the first 10 wrong tokens are 401");
      assertEquals(10, throttled, "the rest are 429");
      // Right after the burst: bearer and the login form both still work from that address.
      assertEquals(200, raw.get(guesser, "/api/services", TOKEN).status());
      RawHttp.Answer login =
          raw.send(guesser, "t", null, "POST /login HTTP/1.1\r\n", null, "token=" + TOKEN);
      assertEquals(303, login.status(), login.head());
      assertEquals("/", login.header("Location"));
      RawHttp.Answer wrongLogin =
          raw.send(guesser, "t", null, "POST /login HTTP/1.1\r\n", null, "token=nope");
      assertEquals(429, wrongLogin.status(), "a wrong token on the login form is throttled too");
      assertEquals(
          401,
          raw.get(RawHttp.loopback(3), "/api/services", "other-guess").status(),
          "another address has its own budget");
      assertEquals(200, raw.get(guesser, "/health", null).status(), "health is never throttled");
      assertEquals(22.0, counter(registry, "auth_failed"));
      assertEquals(11.0, counter(registry, "login_throttled"));
      assertEquals(0.0, counter(registry, "login_throttled_global"));
    }
  }

  /**
   * Issue 21 case 7: 1 500 guesses from 150 addresses (10 each: never past one address's budget)
   * are throttled by the budget all addresses share; the right token still gets in from a guessing
   * address and from a fresh one.
   */
  @Test
  void guessesSpreadOverManyAddressesAreThrottledTogether() throws Exception {
    PrometheusMeterRegistry registry = registry();
    try (AnalystServer server =
        server(registry, "http.login.failures", "10", "http.login.failures.global", "100")) {
      RawHttp raw = new RawHttp(server.port(), null, (int) QUICK.toMillis());
      int unauthorized = 0;
      int throttled = 0;
      for (int round = 0; round < 10; round++) {
        for (int a = 0; a < 150; a++) {
          RawHttp.Answer r =
              raw.get(RawHttp.loopback(10 + a), "/api/alerts", "guess-" + round + "-" + a);
          if (r.status() == 401) unauthorized++;
          else if (r.status() == 429) {
            throttled++;
            assertTrue(r.body().contains("from all addresses"), r.body());
          } else fail("unexpected answer " + r.head());
        }
        assertEquals(200, raw.get(RawHttp.loopback(10 + round), "/api/alerts", TOKEN).status());
      }
      assertEquals(100, unauthorized, "the global budget: 100 wrong tokens a minute");
      assertEquals(1400, throttled);
      assertEquals(200, raw.get(RawHttp.loopback(200), "/api/services", TOKEN).status());
      assertEquals(1500.0, counter(registry, "auth_failed"));
      assertEquals(1400.0, counter(registry, "login_throttled_global"));
      assertEquals(0.0, counter(registry, "login_throttled"));
    }
  }

  @Test
  void logoutAndRevocationEndSessions() throws Exception {
    // Each session must still be live at its first request: 3 s was missed on a loaded machine.
    try (AnalystServer server = server(registry(), "http.session.ttl", "15s")) {
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
          .atMost(Patience.WAIT) // the session's lifetime is the server's clock, not this bound
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
    return slowHeaders(port, RawHttp.loopback(1), n);
  }

  private static List<Socket> slowHeaders(int port, java.net.InetAddress from, int n)
      throws IOException {
    List<Socket> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Socket s = new Socket(RawHttp.loopback(1), port, from, 0);
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
  /** A client socket whose small send buffer puts each write on the wire before the next. */
  private static Socket uploader(AnalystServer server) throws IOException {
    Socket s = new Socket();
    s.setSendBufferSize(16 << 10);
    s.connect(new InetSocketAddress("127.0.0.1", server.port()));
    s.setSoTimeout((int) Patience.WAIT.toMillis());
    return s;
  }

  /** An authenticated PUT's head, {@code framing} its body's length header. */
  private static void putHead(OutputStream out, String framing) throws IOException {
    out.write(
        ("PUT /api/services/shop/protection HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                + TOKEN
                + "\r\n"
                + framing
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Reads until the whole 413 has arrived (its JSON names the key). */
  private static void await413(InputStream in) throws IOException {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    while (!answer.toString(StandardCharsets.ISO_8859_1).contains("http.max.body.bytes")) {
      int b = in.read();
      assertTrue(b >= 0, "closed before the 413 arrived: " + answer);
      answer.write(b);
    }
    assertTrue(
        answer.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 413"), answer::toString);
  }

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

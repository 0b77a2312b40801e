package dev.tripline.itspring;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.tripline.agent.it.Jdks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Request context on Spring WebFlux (Reactor Netty), on every JDK: the same app run reactive; an
 * annotated route's file read (on the event loop that serves the request) and a WebClient call
 * (Reactor Netty's event loop resolves and connects) carry the request, its route template, the
 * forwarded chain as sent and the trace id of its {@code traceparent}.
 */
class WebFluxRequestSpringIT {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String[] HEADERS = {
    "X-Forwarded-For", "203.0.113.7", "traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01"
  };

  @Test
  void aReadAndAWebClientCallOnWebFluxCarryTheirRequestWithItsRoute() throws Exception {
    HttpServer backend = backend();
    try {
      int port = backend.getAddress().getPort();
      for (Path java : Jdks.all()) {
        Path work =
            Path.of(
                "target/it-spring-webflux", java.getParent().getParent().getFileName().toString());
        Files.createDirectories(work);
        Path data = Files.writeString(work.resolve("data.txt"), "data");
        Files.writeString(work.resolve("report.txt"), "twelve bytes");
        try (BootApp app =
            BootApp.started(
                java,
                work,
                "--spring.main.web-application-type=reactive",
                "--app.reactive-server=netty",
                "--app.read-file=" + data.toAbsolutePath(),
                "--app.call-url=http://localhost:" + port + "/x")) {
          assertEquals("12", app.get("/files/report", HEADERS), java.toString());
          String report = work.resolve("report.txt").toAbsolutePath().toString();
          JsonNode read =
              awaitEvent(
                  app,
                  e ->
                      "FILE_READ".equals(e.path("kind").asText())
                          && report.equals(e.path("path").asText()));
          JsonNode r = carries(read, "/files/{name}", java);
          assertEquals("/files/report", r.path("path").asText(), read.toString());

          assertEquals("7", app.get("/reactive/call/backend", HEADERS), java.toString());
          JsonNode connect =
              awaitEvent(
                  app,
                  e ->
                      "NET_CONNECT".equals(e.path("kind").asText())
                          && e.path("port").asInt() == port);
          carries(connect, "/reactive/call/{what}", java);
          JsonNode lookup =
              awaitEvent(
                  app,
                  e ->
                      "DNS_LOOKUP".equals(e.path("kind").asText())
                          && "localhost".equals(e.path("query").asText()));
          carries(lookup, "/reactive/call/{what}", java);
        }
      }
    } finally {
      backend.stop(0);
    }
  }

  /**
   * The event carries a GET of {@code route} served by Reactor Netty, forwarded for 203.0.113.7.
   */
  private static JsonNode carries(JsonNode event, String route, Path java) {
    String where = java + ": " + event;
    JsonNode r = event.path("request");
    assertEquals("reactor-netty", r.path("server").asText(), where);
    assertEquals("GET", r.path("method").asText(), where);
    assertEquals(route, r.path("route").asText(), where);
    assertEquals("[\"203.0.113.7\"]", r.path("forwardedFor").toString(), where);
    assertEquals(TRACE, r.path("traceId").asText(), where);
    return r;
  }

  private static HttpServer backend() throws IOException {
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext(
        "/",
        x -> {
          byte[] body = "backend".getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(200, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    backend.start();
    return backend;
  }

  private static JsonNode awaitEvent(BootApp app, Predicate<JsonNode> which) {
    @SuppressWarnings("unchecked")
    Optional<JsonNode>[] found = new Optional[] {Optional.empty()};
    try {
      await()
          .atMost(BootApp.WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                found[0] = app.events().stream().filter(which).findFirst();
                return found[0].isPresent();
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("no such event; output:\n" + app.output(), e);
    }
    return found[0].get();
  }
}

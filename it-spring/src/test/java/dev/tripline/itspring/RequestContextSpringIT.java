package dev.tripline.itspring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.tripline.agent.it.Jdks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Request context on Spring Boot (Tomcat, Spring MVC), on every JDK: a controller's file read, a
 * RestClient call (the JDK HttpClient's worker connects) and a WebClient call (Reactor Netty's
 * event loop resolves and connects) each carry the request that caused them, with Spring's route
 * template, the forwarded chain as sent and the trace id of its {@code traceparent}.
 */
class RequestContextSpringIT {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String[] HEADERS = {
    "X-Forwarded-For", "203.0.113.7", "traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01"
  };

  @Test
  void aReadARestClientCallAndAWebClientCallCarryTheirRequestWithItsRoute() throws Exception {
    HttpServer backend = BootApp.backend();
    try {
      int port = backend.getAddress().getPort();
      for (Path java : Jdks.all()) {
        Path work = BootApp.workFor("it-spring-request", java);
        Files.createDirectories(work);
        Path data = Files.writeString(work.resolve("data.txt"), "data");
        Files.writeString(work.resolve("report.txt"), "twelve bytes");
        try (BootApp app =
            BootApp.started(
                java,
                work,
                "--app.read-file=" + data.toAbsolutePath(),
                "--app.call-url=http://127.0.0.1:" + port + "/x")) {
          assertEquals("12", app.get("/files/report?token=s3cr3t", HEADERS), java.toString());
          String report = work.resolve("report.txt").toAbsolutePath().toString();
          JsonNode read =
              app.awaitEvent(
                  e ->
                      "FILE_READ".equals(e.path("kind").asText())
                          && report.equals(e.path("path").asText()));
          JsonNode r = carries(read, "/files/{name}", java);
          assertEquals("/files/report", r.path("path").asText(), read.toString());
          assertEquals("token=<redacted>", r.path("query").asText(), read.toString());

          assertEquals("7", app.get("/call", HEADERS), java.toString());
          JsonNode call =
              app.awaitEvent(
                  e ->
                      "NET_CONNECT".equals(e.path("kind").asText())
                          && e.path("port").asInt() == port);
          assertEquals("http-client", call.path("callSite").path("handoff").asText(), call + "");
          carries(call, "/call", java);
        }
        // WebClient by name, in a JVM of its own: Reactor Netty resolves localhost and connects
        try (BootApp app =
            BootApp.started(java, work, "--app.call-url=http://localhost:" + port + "/x")) {
          assertEquals("7", app.get("/webclient", HEADERS), java.toString());
          JsonNode connect =
              app.awaitEvent(
                  e ->
                      "NET_CONNECT".equals(e.path("kind").asText())
                          && e.path("port").asInt() == port);
          assertEquals(
              "reactor-netty", connect.path("callSite").path("handoff").asText(), connect + "");
          carries(connect, "/webclient", java);
          JsonNode lookup =
              app.awaitEvent(
                  e ->
                      "DNS_LOOKUP".equals(e.path("kind").asText())
                          && "localhost".equals(e.path("query").asText()));
          carries(lookup, "/webclient", java);
        }
      }
    } finally {
      backend.stop(0);
    }
  }

  /** The event carries a GET of {@code route} from this test, forwarded for 203.0.113.7. */
  private static JsonNode carries(JsonNode event, String route, Path java) {
    String where = java + ": " + event;
    JsonNode r = event.path("request");
    assertEquals("servlet", r.path("server").asText(), where);
    assertEquals("GET", r.path("method").asText(), where);
    assertEquals(route, r.path("route").asText(), where);
    assertEquals("127.0.0.1", r.path("clientAddress").asText(), where);
    assertEquals("[\"203.0.113.7\"]", r.path("forwardedFor").toString(), where);
    assertEquals(true, r.path("forwardedByClient").asBoolean(), where);
    assertEquals(TRACE, r.path("traceId").asText(), where);
    return r;
  }
}

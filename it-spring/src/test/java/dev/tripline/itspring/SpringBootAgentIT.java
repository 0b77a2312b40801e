package dev.tripline.itspring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.tripline.agent.it.Jdks;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Spring Boot fat jar started the usual way with the real agent, on every JDK under
 * /usr/lib/jvm: its events name the controller as call site and the jars as people read them.
 */
class SpringBootAgentIT {
  private static final String APP_JAR = "tripline-it-spring.jar";

  @Test
  void aHandlersFileReadNamesTheControllerAndTheFatJarsLibrariesTheirJars() throws Exception {
    for (Path java : Jdks.all()) {
      Path work = BootApp.workFor("it-spring-read", java);
      Files.createDirectories(work);
      Path data = Files.writeString(work.resolve("data.txt"), "twelve bytes");
      try (BootApp app = BootApp.started(java, work, "--app.read-file=" + data.toAbsolutePath())) {
        assertEquals("12", app.get("/read"), java.toString());

        JsonNode read =
            app.awaitEvent(
                e ->
                    "FILE_READ".equals(e.path("kind").asText())
                        && data.toAbsolutePath().toString().equals(e.path("path").asText()));
        JsonNode site = read.path("callSite");
        String where = java + ": " + read;
        assertEquals(IoController.class.getName(), site.path("className").asText(), where);
        assertEquals("read", site.path("methodName").asText(), where);
        assertEquals(APP_JAR + " (BOOT-INF/classes)", site.path("jarName").asText(), where);
        assertEquals(APP_JAR, site.path("archive").asText(), where);
        assertEquals(
            "", site.path("handoff").asText(), "the request thread did the read itself: " + where);

        // Tomcat, inside the fat jar, opened the listening socket; logback, inside it too, the log
        // file.
        JsonNode listen =
            app.awaitEvent(
                e ->
                    "NET_LISTEN".equals(e.path("kind").asText())
                        && e.path("port").asInt() == app.port);
        assertTrue(
            listen.path("callSite").path("className").asText().startsWith("org.apache.tomcat."),
            listen.toString());
        assertTrue(
            listen
                .path("callSite")
                .path("jarName")
                .asText()
                .matches("tomcat-embed-core-\\d+\\.\\d+\\.\\d+\\.jar"),
            java + ": " + listen);
        assertEquals(APP_JAR, listen.path("callSite").path("archive").asText(), listen.toString());
        JsonNode log = app.awaitEvent(e -> e.path("path").asText().endsWith("/app.log"));
        assertTrue(
            log.path("callSite")
                .path("jarName")
                .asText()
                .matches("logback-core-\\d+\\.\\d+\\.\\d+\\.jar"),
            java + ": " + log);
        assertEquals(APP_JAR, log.path("callSite").path("archive").asText(), log.toString());
        noCodeFromNowhere(app, java);
      }
    }
  }

  /**
   * Spring's start defines classes at run time (CGLIB proxies, lambdas, reflection accessors): none
   * is a class with no origin on disk doing I/O, and no native library it loads breaks the built-in
   * rules ({@code native-load-temp}, {@code native-load-writable}: a temp or writable directory is
   * excused only for the jars that unpack their own libraries, Netty here). So no code-origin or
   * native-load finding from a normal start.
   */
  private static void noCodeFromNowhere(BootApp app, Path java) throws Exception {
    for (JsonNode e : app.events()) {
      String where = java + ": " + e;
      assertEquals("", e.path("callSite").path("origin").asText(), "origin on disk: " + where);
      if ("CODE_ORIGIN".equals(e.path("kind").asText())) {
        assertEquals("jar", e.path("origin").asText(), where);
      }
      if ("NATIVE_LOAD".equals(e.path("kind").asText())) {
        String path = e.has("realPath") ? e.path("realPath").asText() : e.path("path").asText();
        boolean exposed =
            e.path("writableDir").asBoolean()
                || path.startsWith("/tmp/")
                || path.startsWith("/var/tmp/")
                || path.startsWith("/dev/shm/");
        assertTrue(
            !exposed || e.path("callSite").path("jarName").asText().startsWith("netty-"),
            "a library from a writable directory, loaded by other than Netty: " + where);
      }
    }
  }

  @Test
  void anOutboundRestClientCallCarriesTheControllersCallSite() throws Exception {
    HttpServer backend = BootApp.backend();
    try {
      int backendPort = backend.getAddress().getPort();
      for (Path java : Jdks.all()) {
        Path work = BootApp.workFor("it-spring-call", java);
        try (BootApp app =
            BootApp.started(java, work, "--app.call-url=http://127.0.0.1:" + backendPort + "/x")) {
          assertEquals("7", app.get("/call"), java.toString());
          JsonNode connect =
              app.awaitEvent(
                  e ->
                      "NET_CONNECT".equals(e.path("kind").asText())
                          && e.path("port").asInt() == backendPort);
          JsonNode site = connect.path("callSite");
          assertEquals(
              IoController.class.getName(), site.path("className").asText(), java + ": " + connect);
          assertEquals("call", site.path("methodName").asText(), java + ": " + connect);
          assertEquals("http-client", site.path("handoff").asText(), java + ": " + connect);
          assertEquals(
              APP_JAR + " (BOOT-INF/classes)", site.path("jarName").asText(), connect.toString());
        }
      }
    } finally {
      backend.stop(0);
    }
  }

  @Test
  void aWebClientCallOnReactorNettysEventLoopCarriesTheCodeThatAskedForIt() throws Exception {
    HttpServer backend = BootApp.backend();
    HttpServer later = BootApp.backend();
    try {
      int port = backend.getAddress().getPort();
      int laterPort = later.getAddress().getPort();
      for (Path java : Jdks.all()) {
        Path work = BootApp.workFor("it-spring-webclient", java);
        // by name: Netty resolves it itself (its own resolver, /etc/hosts), then connects through
        // epoll
        try (BootApp app =
            BootApp.started(java, work, "--app.call-url=http://localhost:" + port + "/x")) {
          assertEquals("7", app.get("/webclient"), java.toString());
          JsonNode connect =
              app.awaitEvent(
                  e ->
                      "NET_CONNECT".equals(e.path("kind").asText())
                          && e.path("port").asInt() == port);
          assertHandedOffBy("webClient", connect, java);
          assertEquals("localhost", connect.path("host").asText(), connect.toString());
          JsonNode lookup =
              app.awaitEvent(
                  e ->
                      "DNS_LOOKUP".equals(e.path("kind").asText())
                          && "localhost".equals(e.path("query").asText()));
          assertHandedOffBy("webClient", lookup, java);

          // built on the request thread, sent from a Reactor scheduler's: the builder's frame names
          // it
          assertEquals(
              "7",
              app.get("/webclient-later?url=http://127.0.0.1:" + laterPort + "/y"),
              java.toString());
          JsonNode sentLater =
              app.awaitEvent(
                  e ->
                      "NET_CONNECT".equals(e.path("kind").asText())
                          && e.path("port").asInt() == laterPort);
          assertHandedOffBy("webClientLater", sentLater, java);

          JsonNode health =
              app.awaitEvent(
                  e ->
                      "AGENT_HEALTH".equals(e.path("kind").asText())
                          && e.path("hooksApplied").toString().contains("netty.connect"));
          assertEquals(
              "[]", health.path("hooksMissing").toString(), "every Netty hook matched: " + health);
        }
      }
    } finally {
      backend.stop(0);
      later.stop(0);
    }
  }

  @Test
  void nettysNativeEpollSocketsAreSeenThoughNoJdkSocketCarriesThem() throws Exception {
    for (Path java : Jdks.all()) {
      Path work = BootApp.workFor("it-spring-netty", java);
      try (BootApp app = BootApp.started(java, work);
          DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        int serverPort = Integer.parseInt(app.get("/netty/listen"));
        try (Socket client = new Socket("127.0.0.1", serverPort)) {
          assertEquals(-1, client.getInputStream().read(), "the epoll server accepted and closed");
        }
        JsonNode listen =
            app.awaitEvent(
                e ->
                    "NET_LISTEN".equals(e.path("kind").asText())
                        && e.path("port").asInt() == serverPort);
        assertEquals(
            "event-loop", listen.path("callSite").path("handoff").asText(), java + ": " + listen);
        JsonNode accept =
            app.awaitEvent(
                e ->
                    "NET_ACCEPT".equals(e.path("kind").asText())
                        && e.path("port").asInt() == serverPort);
        assertEquals("127.0.0.1", accept.path("ip").asText(), java + ": " + accept);

        int udpPort = receiver.getLocalPort();
        assertEquals("sent", app.get("/netty/udp?port=" + udpPort));
        JsonNode datagram =
            app.awaitEvent(
                e ->
                    "DATAGRAM".equals(e.path("kind").asText())
                        && e.path("port").asInt() == udpPort);
        assertEquals("udp", datagram.path("protocol").asText(), datagram.toString());
        assertEquals("127.0.0.1", datagram.path("ip").asText(), datagram.toString());
        assertTrue(
            datagram.path("thread").asText().startsWith("epollEventLoopGroup"),
            datagram.toString());

        // a Netty client's connect, asked for on the request thread, made on the event loop
        try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
          assertEquals("connected", app.get("/netty/connect?port=" + peer.getLocalPort()));
          JsonNode connect =
              app.awaitEvent(
                  e ->
                      "NET_CONNECT".equals(e.path("kind").asText())
                          && e.path("port").asInt() == peer.getLocalPort());
          JsonNode site = connect.path("callSite");
          assertEquals(
              NettyController.class.getName() + ".connect",
              site.path("className").asText() + "." + site.path("methodName").asText(),
              java + ": " + connect);
          assertEquals("netty", site.path("handoff").asText(), java + ": " + connect);
          assertTrue(
              connect.path("thread").asText().startsWith("epollEventLoopGroup"),
              connect.toString());
        }
      }
    }
  }

  /**
   * The event happened on a Reactor Netty event loop, and names the controller method that asked
   * for it.
   */
  private static void assertHandedOffBy(String method, JsonNode event, Path java) {
    String where = java + ": " + event;
    JsonNode site = event.path("callSite");
    assertEquals(IoController.class.getName(), site.path("className").asText(), where);
    assertEquals(method, site.path("methodName").asText(), where);
    assertEquals("reactor-netty", site.path("handoff").asText(), where);
    assertEquals(APP_JAR + " (BOOT-INF/classes)", site.path("jarName").asText(), where);
    assertTrue(
        event.path("thread").asText().startsWith("reactor-http-epoll-"),
        "an epoll event loop: " + where);
  }
}

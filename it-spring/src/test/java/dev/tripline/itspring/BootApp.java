package dev.tripline.itspring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The Spring Boot fat jar running in a forked JVM with the real agent writing JSON lines, and what
 * the ITs around it share: a work directory per JDK, waiting for an event, a backend to call.
 */
final class BootApp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final Path work;
  final Path events;
  final int port;
  private final Process process;
  private final Path out;

  private BootApp(Path work, Path events, int port, Process process, Path out) {
    this.work = work;
    this.events = events;
    this.port = port;
    this.process = process;
    this.out = out;
  }

  static Path agentJar() {
    return Path.of(System.getProperty("tripline.agent.jar", "../agent/target/tripline-agent.jar"));
  }

  /**
   * The longest a test waits for a condition: as {@code dev.tripline.kafka.Patience.WAIT} (this
   * module has no broker), 180 s unless {@code tripline.test.wait} says; a loaded 2-core machine
   * starts a Spring Boot JVM many times slower than a quiet one.
   */
  static final Duration WAIT = Duration.ofSeconds(Long.getLong("tripline.test.wait", 180));

  static Path appJar() {
    return Path.of(System.getProperty("tripline.itspring.jar", "target/tripline-it-spring.jar"));
  }

  /** As {@link #start}, and returns once the application answers {@code /ping}. */
  static BootApp started(Path java, Path work, String... args) throws IOException {
    BootApp app = start(java, work, args);
    try {
      org.awaitility.Awaitility.await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> app.get("/ping") != null);
    } catch (RuntimeException | Error e) {
      app.close();
      throw e;
    }
    return app;
  }

  /**
   * Starts the jar as people do ({@code java -javaagent:… -jar app.jar}), with Spring arguments
   * {@code args}.
   */
  static BootApp start(Path java, Path work, String... args) throws IOException {
    Files.createDirectories(work);
    Path events = work.resolve("events.jsonl");
    Files.deleteIfExists(events);
    int port = freePort();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-javaagent:" + agentJar().toAbsolutePath(),
                "-Dtripline.sink=jsonl:" + events,
                "-Dtripline.flush.interval=300ms",
                "-Dtripline.heartbeat.interval=1s",
                "-jar",
                appJar().toAbsolutePath().toString(),
                "--server.port=" + port,
                "--logging.file.name=" + work.resolve("app.log")));
    cmd.addAll(List.of(args));
    Path out = work.resolve("stdout.txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    return new BootApp(work, events, port, p, out);
  }

  /** {@code target/<name>/<jdk>}: each JDK's run of a test in a directory of its own. */
  static Path workFor(String name, Path java) {
    return Path.of("target/" + name, java.getParent().getParent().getFileName().toString());
  }

  /**
   * A backend for the application to call: the JDK's HTTP server on a loopback port, answering
   * {@code backend} (7 bytes) to every request.
   */
  static HttpServer backend() throws IOException {
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

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** GET on the application; null while it does not answer yet. */
  String get(String path) {
    return get(path, new String[0]);
  }

  /**
   * GET with request headers ({@code name, value, name, value…}); null while it does not answer.
   */
  String get(String path, String... headers) {
    if (!process.isAlive()) {
      throw new AssertionError("the application exited " + process.exitValue() + ":\n" + output());
    }
    try {
      HttpResponse<String> r =
          HTTP.send(
              (headers.length == 0
                      ? HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                      : HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                          .headers(headers))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200)
        throw new AssertionError(path + " answered " + r.statusCode() + ": " + r.body());
      return r.body();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The events written so far (a line being written is skipped). */
  List<JsonNode> events() throws IOException {
    List<JsonNode> list = new ArrayList<>();
    if (!Files.exists(events)) return list;
    for (String line : Files.readAllLines(events, StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      try {
        list.add(JSON.readTree(line));
      } catch (IOException partial) {
        // the agent is writing it
      }
    }
    return list;
  }

  /** The first event {@code which} accepts, once the agent wrote it. */
  JsonNode awaitEvent(Predicate<JsonNode> which) {
    List<Optional<JsonNode>> found = new ArrayList<>(List.of(Optional.empty()));
    try {
      org.awaitility.Awaitility.await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                found.set(0, events().stream().filter(which).findFirst());
                return found.get(0).isPresent();
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "no such event; events:\n" + eventsText() + "\noutput:\n" + output(), e);
    }
    return found.get(0).orElseThrow();
  }

  private String eventsText() {
    try {
      return String.join("\n", events().stream().map(JsonNode::toString).toList());
    } catch (IOException e) {
      return e.toString();
    }
  }

  String output() {
    try {
      return Files.exists(out) ? Files.readString(out) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

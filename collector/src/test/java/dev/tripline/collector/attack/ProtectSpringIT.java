package dev.tripline.collector.attack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tripline.agent.it.Jdks;
import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.Disposition;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23 on an ordinary application: the it-spring module's Spring Boot fat jar (Tomcat, logback,
 * RestClient, WebClient on Reactor Netty, Netty's native epoll transport) learns its normal work
 * with the real agent sending to the real collector; once MONITORING, the operator puts it in
 * {@code block} for every kind an operator may choose. A new JVM of the app, holding that policy
 * before its first request, answers every normal endpoint exactly as the app without the agent
 * does; the agent refused nothing and marked nothing (no event BLOCKED or WOULD_BLOCK) and its
 * heartbeat says BLOCK. On every JDK, a service each.
 */
@ExtendWith(KafkaBroker.class)
class ProtectSpringIT {
  private static final Duration WAIT = Patience.WAIT;
  private static final String TOKEN = "protect-spring-token";

  /** Every kind an operator may select (docs/protection.md). */
  private static final List<String> ALL_KINDS =
      List.of("PROCESS_SPAWN", "NET_CONNECT", "FILE_READ", "FILE_WRITE");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** What an endpoint answered. */
  record Answer(int status, String body) {}

  /**
   * The peers the app's endpoints talk to, the same for each of a JDK's runs (a connect to another
   * port would be new behaviour): an HTTP backend, one for the deferred WebClient call, a TCP peer
   * for Netty's connect, a UDP receiver for its datagram.
   */
  static final class Peers implements AutoCloseable {
    final HttpServer backend = backend();
    final HttpServer later = backend();
    final ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());

    Peers() throws IOException {
      Thread t =
          new Thread(
              () -> {
                while (!peer.isClosed()) {
                  // an orderly close: a reset races the app's answer (it then answers 200 with no
                  // body, with or without the agent)
                  try (Socket s = peer.accept()) {
                    s.shutdownOutput();
                  } catch (IOException e) {
                    // closed
                  }
                }
              },
              "netty-peer");
      t.setDaemon(true);
      t.start();
    }

    /**
     * Every normal endpoint of it-spring's IoController and NettyController, in the order called.
     */
    List<String> endpoints() {
      return List.of(
          "/ping",
          "/read",
          "/files/notes",
          "/call",
          "/webclient",
          "/webclient-later?url=http://127.0.0.1:" + later.getAddress().getPort() + "/y",
          "/netty/listen",
          "/netty/udp?port=" + udp.getLocalPort(),
          "/netty/connect?port=" + peer.getLocalPort());
    }

    private static HttpServer backend() throws IOException {
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      s.createContext(
          "/",
          x -> {
            byte[] body = "backend".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
          });
      s.start();
      return s;
    }

    @Override
    public void close() throws IOException {
      backend.stop(0);
      later.stop(0);
      peer.close();
      udp.close();
    }
  }

  @Test
  void inBlockAfterLearningEveryNormalEndpointAnswersAsWithoutTheAgent(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    Path agent = AttackSuiteIT.agentJar(dir);
    Path appJar = Path.of("target/attack-libs/tripline-it-spring.jar").toAbsolutePath();
    assertTrue(Files.exists(appJar), "the build copies it-spring's fat jar to " + appJar);
    try (AnalystCollector collector = new AnalystCollector(kafka, dir, TOKEN);
        KafkaConsumer<String, byte[]> events =
            consumer(kafka, collector.f.config.get(CollectorKeys.TOPIC_EVENTS))) {
      PipelineFixtures f = collector.f;
      Batches batches = new Batches(events);
      List<Path> jdks = Jdks.all();
      for (int i = 0; i < jdks.size(); i++) {
        Path java = jdks.get(i);
        String service = "spring-shop-" + i;
        Path work = dir.resolve("jdk-" + i);
        try (Peers peers = new Peers()) {
          Path data = Files.createDirectories(work.resolve("data"));
          Files.writeString(data.resolve("data.txt"), "twelve bytes");
          Files.writeString(data.resolve("notes.txt"), "notes");
          List<String> appArgs =
              List.of(
                  "--app.read-file=" + data.resolve("data.txt"),
                  "--app.call-url=http://127.0.0.1:" + peers.backend.getAddress().getPort() + "/x",
                  "--logging.file.name=" + work.resolve("app.log"));

          // 1. Without the agent: the baseline.
          Map<String, Answer> baseline;
          try (Run plain = Run.start(List.of(java.toString()), appJar, appArgs, work, "plain")) {
            plain.awaitReady();
            baseline = plain.callAll(peers.endpoints());
          }
          for (Map.Entry<String, Answer> e : baseline.entrySet()) {
            assertEquals(200, e.getValue().status(), java + " without the agent: " + e);
          }

          // 2. With the agent, LEARNING: the same calls, until the collector holds them.
          List<String> withAgent =
              VulnerableRun.agentCommand(java, agent, f, service, work.resolve("home"));
          try (Run learn = Run.start(withAgent, appJar, appArgs, work, "learn")) {
            learn.awaitReady();
            learn.callAll(peers.endpoints());
            long called = System.currentTimeMillis();
            // a batch the agent sent well after the last answer: what the calls did was sent before
            batches.awaitBatch(learn.pid(), b -> b.getSentTimeMs() > called + 1_500, learn);
          }
          f.awaitConsumed();
          AnalystBackend backend = collector.backend();
          await().atMost(WAIT).until(() -> backend.profile(service).isPresent());
          AnalystCollector.endLearning(f, backend, service, "protect-spring");
          HttpResponse<String> put = put(collector.protection(service), ALL_KINDS);
          assertEquals(200, put.statusCode(), put.body());
          assertTrue(put.body().contains("\"profileState\":\"MONITORING\""), put.body());
          ProtectAttackSuiteIT.InForce block = ProtectAttackSuiteIT.InForce.of(put);
          assertEquals("block", block.mode(), put.body());

          // 3. A new JVM in block (the policy in force before its first request): as without.
          try (Run blocked = Run.start(withAgent, appJar, appArgs, work, "block")) {
            try {
              await()
                  .atMost(WAIT)
                  .pollInterval(Duration.ofMillis(100))
                  .until(() -> block.saidIn(blocked.output()) || !blocked.process.isAlive());
            } catch (ConditionTimeoutException e) {
              throw new AssertionError("never held " + block + ": " + blocked.output(), e);
            }
            assertTrue(block.saidIn(blocked.output()), block + ": " + blocked.output());
            blocked.awaitReady();
            Map<String, Answer> answers = blocked.callAll(peers.endpoints());
            long called = System.currentTimeMillis();
            // The agent's own word: a heartbeat sent after the calls says BLOCK, nothing refused.
            EventBatch beat =
                batches.awaitBatch(
                    blocked.pid(),
                    b -> b.hasHealth() && b.getSentTimeMs() > called + 1_500,
                    blocked);
            for (String endpoint : peers.endpoints()) {
              Answer without = baseline.get(endpoint);
              Answer with = answers.get(endpoint);
              String where = java + " " + endpoint + ": " + blocked.output();
              if (endpoint.equals("/netty/listen")) {
                // its answer is the ephemeral port it bound: a port each run
                assertEquals(without.status(), with.status(), where);
                assertTrue(with.body().matches("\\d+"), with + " " + where);
              } else {
                assertEquals(without, with, where);
              }
            }
            assertTrue(!blocked.output().contains("Tripline protect mode"), blocked.output());

            assertEquals(ProtectionMode.BLOCK, beat.getHealth().getProtectionMode(), "" + beat);
            assertEquals(
                0L, beat.getHealth().getProtectionCountsOrDefault("blocked", 0L), "" + beat);
            assertEquals(
                0L, beat.getHealth().getProtectionCountsOrDefault("would_block", 0L), "" + beat);
            List<Event> judged =
                batches.of(blocked.pid()).stream()
                    .flatMap(b -> b.getEventsList().stream())
                    .filter(e -> e.getDisposition() != Disposition.DISPOSITION_NONE)
                    .collect(Collectors.toList());
            assertEquals(List.of(), judged, java + ": protection judged a normal call");

            // The control: block is enforced in this JVM. A read the app never made while learning
            // (a file beside the learned ones, through the same route) is refused, BLOCKED.
            Files.writeString(data.resolve("other.txt"), "other");
            Answer other = blocked.call("/files/other");
            assertTrue(
                other != null && other.status() == 500, "not refused: " + other + blocked.output());
            assertTrue(
                blocked
                    .output()
                    .contains(
                        "Tripline protect mode refused this call (rule new-behaviour:FILE_READ)"),
                blocked.output());
            batches.awaitBatch(
                blocked.pid(),
                b ->
                    b.getEventsList().stream()
                        .anyMatch(
                            e ->
                                e.getDisposition() == Disposition.BLOCKED
                                    && e.getProtectionRule().equals("new-behaviour:FILE_READ")),
                blocked);

            // The second control: a Netty epoll connect (a library hook, io.netty.channel.unix
            // .Socket.connect) to a port the app never connected to while learning is refused
            // before the native connect: the listener never sees it.
            try (ServerSocket unlearned =
                new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
              Answer refused = blocked.call("/netty/connect?port=" + unlearned.getLocalPort());
              assertTrue(
                  refused != null && refused.status() == 500,
                  "netty connect not refused: " + refused + blocked.output());
              // the call answered after Netty's connect settled: a connection made would wait in
              // the backlog now, and accept would return it at once
              unlearned.setSoTimeout(300);
              try (Socket s = unlearned.accept()) {
                throw new AssertionError("the refused connect reached the listener: " + s);
              } catch (SocketTimeoutException expected) {
                // nothing connected
              }
            }
            assertTrue(
                blocked
                    .output()
                    .contains(
                        "Tripline protect mode refused this call (rule new-behaviour:NET_CONNECT)"),
                blocked.output());
            batches.awaitBatch(
                blocked.pid(),
                b ->
                    b.getEventsList().stream()
                        .anyMatch(
                            e ->
                                e.getDisposition() == Disposition.BLOCKED
                                    && e.getKind() == EventKind.NET_CONNECT
                                    && e.getProtectionRule().equals("new-behaviour:NET_CONNECT")),
                blocked);
            System.out.println(
                "[ProtectSpringIT] "
                    + java
                    + ": "
                    + answers.size()
                    + " normal endpoints answered as without the agent in block ("
                    + ALL_KINDS
                    + ", policy version "
                    + block.version()
                    + "); the unlearned read and Netty connect refused");
          }
        }
      }
    }
  }

  private static HttpResponse<String> put(String url, List<String> kinds) throws Exception {
    String body =
        "{\"mode\":\"block\",\"kinds\":["
            + kinds.stream().map(k -> "\"" + k + "\"").collect(Collectors.joining(","))
            + "]}";
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + TOKEN)
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static KafkaConsumer<String, byte[]> consumer(EmbeddedKafka kafka, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "protect-spring-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  /** The agents' batches on the events topic, as read so far, by the sending JVM's pid. */
  static final class Batches {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<EventBatch> seen = new ArrayList<>();

    Batches(KafkaConsumer<String, byte[]> consumer) {
      this.consumer = consumer;
    }

    List<EventBatch> of(long pid) throws IOException {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        seen.add(EventBatch.parseFrom(r.value()));
      }
      return seen.stream().filter(b -> b.getAgent().getPid() == pid).collect(Collectors.toList());
    }

    /** The first batch from {@code pid} that {@code which} accepts, once it was sent. */
    EventBatch awaitBatch(long pid, java.util.function.Predicate<EventBatch> which, Run run) {
      EventBatch[] found = new EventBatch[1];
      try {
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  for (EventBatch b : of(pid)) {
                    if (which.test(b)) {
                      found[0] = b;
                      return true;
                    }
                  }
                  return false;
                });
      } catch (ConditionTimeoutException e) {
        throw new AssertionError("no such batch from " + pid + ": " + run.output(), e);
      }
      return found[0];
    }
  }

  /**
   * The fat jar in a forked JVM, started as people do ({@code java [agent flags] -jar app.jar}).
   */
  static final class Run implements AutoCloseable {
    final Process process;
    final Path out;
    final int port;

    private Run(Process process, Path out, int port) {
      this.process = process;
      this.out = out;
      this.port = port;
    }

    static Run start(List<String> java, Path appJar, List<String> args, Path work, String name)
        throws IOException {
      int port;
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = free.getLocalPort();
      }
      List<String> cmd = new ArrayList<>(java);
      cmd.addAll(List.of("-jar", appJar.toString(), "--server.port=" + port));
      cmd.addAll(args);
      Path out = work.resolve(name + ".out.txt");
      Process p =
          new ProcessBuilder(cmd)
              .directory(work.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      return new Run(p, out, port);
    }

    long pid() {
      return process.pid();
    }

    /** Returns once the app answers {@code /ping}. */
    void awaitReady() {
      try {
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(200))
            .until(() -> !process.isAlive() || call("/ping") != null);
      } catch (ConditionTimeoutException e) {
        throw new AssertionError("never answered /ping: " + output(), e);
      }
      assertTrue(process.isAlive(), "the app exited: " + output());
    }

    Map<String, Answer> callAll(List<String> endpoints) {
      Map<String, Answer> answers = new LinkedHashMap<>();
      for (String endpoint : endpoints) {
        Answer a = call(endpoint);
        assertTrue(a != null, endpoint + " did not answer: " + output());
        answers.put(endpoint, a);
      }
      return answers;
    }

    @Nullable Answer call(String path) {
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
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
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}

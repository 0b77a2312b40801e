package dev.tripline.collector;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.kafka.Patience;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.AlertReason;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.Schema;
import dev.tripline.model.protect.PolicyReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, case 5: {@code run}'s embedded Kafka with one setting ({@code embedded.secure=true})
 * has no anonymous door, its generated credentials are owner-only files named (never printed), an
 * agent's credentials write events and nothing else, and the canary credential read alerts; without
 * the setting the start-up says loudly that the broker is open.
 */
class SecureRunTest {
  private static CollectorConfig config(Path dir, String secure) {
    return CollectorConfig.builder()
        .set("data.dir", dir.toString())
        .set("embedded.port", "0")
        .set("embedded.secure", secure)
        .set("http.port", "0")
        .set("topic.partitions", "1")
        .set("learning.period", "1h")
        .build();
  }

  private static Properties agentClient(Path agentFile) throws Exception {
    Properties file = new Properties();
    try (Reader r = Files.newBufferedReader(agentFile)) {
      file.load(r);
    }
    Properties p = new Properties();
    file.forEach(
        (k, v) -> {
          String key = (String) k;
          if (key.startsWith("kafka.") && !key.equals("kafka.topic")) {
            p.put(key.substring("kafka.".length()), v);
          }
        });
    p.put("max.block.ms", "10000");
    p.put("delivery.timeout.ms", "15000");
    p.put("request.timeout.ms", "10000");
    p.put("default.api.timeout.ms", "15000");
    return p;
  }

  @Test
  void oneSettingGivesLoginsAndAclsAndAnAgentWritesEventsOnly(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (CollectorApp app =
        new CollectorApp(config(dir, "true"), new PrintStream(bytes, true, StandardCharsets.UTF_8))
            .start()) {
      String out = bytes.toString(StandardCharsets.UTF_8);
      Path agentFile = app.agentSettings();
      Path creds = dir.resolve("credentials");
      assertTrue(out.contains(agentFile.toAbsolutePath().toString()), out);
      assertFalse(out.contains("is OPEN"), out);
      assertEquals(
          "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(creds)));
      for (String f : List.of("agent.properties", "kafka-admin.password", "agent.password")) {
        Path file = creds.resolve(f);
        assertEquals(
            "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), f);
      }
      for (String f : List.of("kafka-admin.password", "agent.password")) {
        String password = Files.readString(creds.resolve(f)).trim();
        assertTrue(password.length() >= 32);
        assertFalse(out.contains(password), "a password was printed");
      }

      // Nobody is anonymous: a client without a login gets nowhere.
      Properties anonymous = new Properties();
      anonymous.put("bootstrap.servers", app.bootstrapServers());
      anonymous.put("request.timeout.ms", "3000");
      anonymous.put("default.api.timeout.ms", "5000");
      try (Admin admin = Admin.create(anonymous)) {
        assertThrows(
            ExecutionException.class,
            () -> admin.listTopics().names().get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS),
            "an anonymous client listed topics");
      }

      Properties agent = agentClient(agentFile);
      // The agents' credentials create no topic (no tripline.events.<victim>)…
      try (Admin admin = Admin.create(agent)) {
        ExecutionException e =
            assertThrows(
                ExecutionException.class,
                () ->
                    admin
                        .createTopics(List.of(new NewTopic("tripline.events.victim", 1, (short) 1)))
                        .all()
                        .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
      }
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(agent, new StringSerializer(), new ByteArraySerializer())) {
        // … and write no analyst action …
        ExecutionException e =
            assertThrows(
                ExecutionException.class,
                () ->
                    producer
                        .send(new ProducerRecord<>("tripline.actions", "shop", new byte[] {1}))
                        .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
      }
      // … but events, on a fresh producer (a refused topic marks the producer's transaction state).
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(agent, new StringSerializer(), new ByteArraySerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    "tripline.events",
                    "shop",
                    EventBatch.newBuilder()
                        .setSchemaVersion(Schema.VERSION)
                        .setAgent(
                            AgentIdentity.newBuilder()
                                .setService("shop")
                                .setInstanceId("i-1")
                                .setHost("h"))
                        .addEvents(
                            Event.newBuilder()
                                .setKind(EventKind.FILE_READ)
                                .setSuccess(true)
                                .setCount(1)
                                .setFile(FileTarget.newBuilder().setPath("/root/.aws/credentials")))
                        .build()
                        .toByteArray()))
            .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      await()
          .atMost(Patience.WAIT)
          .until(
              () ->
                  app.backend().alerts(AnalystBackend.AlertQuery.all(100)).stream()
                      .anyMatch(
                          a ->
                              a.getReason() == AlertReason.KNOWN_BAD
                                  && a.getTitle().contains(".aws/credentials")));
    }
  }

  /**
   * {@code embedded.services}: a service with its own login writes its own topic and nothing else,
   * and the shared agents' login can no longer speak for it (the shared topic's batch naming it is
   * refused, counted, and raises nothing).
   */
  @Test
  void aNamedServiceGetsItsOwnLoginAndNobodyElseSpeaksForIt(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CollectorConfig config = config(dir, "true").with("embedded.services", "payments,orders");
    try (CollectorApp app =
        new CollectorApp(config, new PrintStream(bytes, true, StandardCharsets.UTF_8)).start()) {
      String out = bytes.toString(StandardCharsets.UTF_8);
      Path file = app.serviceSettings().get("payments");
      assertTrue(out.contains("Agents of payments only: " + file.toAbsolutePath()), out);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      String password =
          Files.readString(dir.resolve("credentials/services/payments.password")).trim();
      assertTrue(password.length() >= 32);
      assertFalse(out.contains(password), "a password was printed");
      Properties settings = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        settings.load(r);
      }
      assertEquals("payments", settings.getProperty("service.name"));
      assertEquals("tripline.events.payments", settings.getProperty("kafka.topic"));

      Properties payments = agentClient(file);
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(payments, new StringSerializer(), new ByteArraySerializer())) {
        ExecutionException e =
            assertThrows(
                ExecutionException.class,
                () ->
                    producer
                        .send(
                            new ProducerRecord<>("tripline.events", "orders", read("orders", "x")))
                        .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS),
                "payments' login wrote the shared topic");
        assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
      }
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(payments, new StringSerializer(), new ByteArraySerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    "tripline.events.payments",
                    "payments",
                    read("payments", "/root/.aws/credentials")))
            .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      // The shared agents' login forges payments on the shared topic: refused, counted.
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(
              agentClient(app.agentSettings()),
              new StringSerializer(),
              new ByteArraySerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    "tripline.events", "payments", read("payments", "/root/.ssh/id_rsa")))
            .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      HttpClient http = HttpClient.newHttpClient();
      await()
          .atMost(Patience.WAIT)
          .until(
              () ->
                  http.send(
                          HttpRequest.newBuilder(URI.create(app.consoleUrl() + "/metrics"))
                              .header("Authorization", "Bearer " + app.consoleToken())
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body()
                      .lines()
                      .anyMatch(
                          l ->
                              l.startsWith("tripline_events_refused_total")
                                  && l.contains("reason=\"shared_topic\"")
                                  && !l.endsWith(" 0.0")));
      await()
          .atMost(Patience.WAIT)
          .until(
              () ->
                  app.backend().alerts(AnalystBackend.AlertQuery.all(100)).stream()
                      .anyMatch(
                          a ->
                              a.getService().equals("payments")
                                  && a.getTitle().contains(".aws/credentials")));
      assertFalse(
          app.backend().alerts(AnalystBackend.AlertQuery.all(100)).stream()
              .anyMatch(a -> a.getTitle().contains("id_rsa")),
          "a forged batch was judged");

      // Protection (docs/protection.md): the collector publishes payments' policy; payments' login
      // reads its own policy topic, cannot read orders' (created for it) nor write its own.
      HttpResponse<String> put =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(app.consoleUrl() + "/api/services/payments/protection"))
                  .header("Authorization", "Bearer " + app.consoleToken())
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"mode\":\"dry-run\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, put.statusCode(), put.body());
      List<byte[]> own = readPolicies(payments, "tripline.policy.payments");
      assertEquals(1, own.size());
      PolicyReader reader = new PolicyReader("payments");
      assertTrue(reader.offer(own.get(0)).applied());
      assertEquals(ProtectionMode.DRY_RUN, reader.held().orElseThrow().getMode());
      assertThrows(
          TopicAuthorizationException.class,
          () -> readPolicies(payments, "tripline.policy.orders"),
          "payments' login read orders' policy");
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(payments, new StringSerializer(), new ByteArraySerializer())) {
        ExecutionException e =
            assertThrows(
                ExecutionException.class,
                () ->
                    producer
                        .send(
                            new ProducerRecord<>(
                                "tripline.policy.payments", "payments", new byte[] {1}))
                        .get(30, TimeUnit.SECONDS),
                "payments' login wrote its own policy");
        assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
      }
    }
  }

  /** Every record on a policy topic, read as an agent does: by assignment, no consumer group. */
  private static List<byte[]> readPolicies(Properties login, String topic) {
    Properties p = new Properties();
    p.putAll(login);
    p.put("allow.auto.create.topics", "false");
    List<byte[]> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (c.position(tp, Duration.ofSeconds(30)) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) out.add(r.value());
      }
    }
    return out;
  }

  @Test
  void servicesWithoutLoginsAreAClearError(@TempDir Path dir) {
    CollectorConfig config = config(dir, "false").with("embedded.services", "payments");
    CollectorConfig.ConfigException e =
        assertThrows(
            CollectorConfig.ConfigException.class,
            () -> new CollectorApp(config, new PrintStream(new ByteArrayOutputStream())).start());
    assertTrue(e.getMessage().contains("embedded.services"), e.getMessage());
    assertTrue(e.getMessage().contains("embedded.secure=true"), e.getMessage());
  }

  private static byte[] read(String service, String path) {
    return EventBatch.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setAgent(AgentIdentity.newBuilder().setService(service).setInstanceId("i-" + service))
        .addEvents(
            Event.newBuilder()
                .setKind(EventKind.FILE_READ)
                .setSuccess(true)
                .setCount(1)
                .setFile(FileTarget.newBuilder().setPath(path)))
        .build()
        .toByteArray();
  }

  @Test
  void anOpenBrokerIsSaidLoudlyAtStartUp(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (CollectorApp app =
        new CollectorApp(config(dir, "false"), new PrintStream(bytes, true, StandardCharsets.UTF_8))
            .start()) {
      String out = bytes.toString(StandardCharsets.UTF_8);
      assertTrue(out.contains("WARNING: Kafka at " + app.bootstrapServers() + " is OPEN"), out);
      assertTrue(out.contains("embedded.secure=true"), out);
      assertFalse(out.contains("WARNING: http.token"), "a generated token is strong: " + out);
    }
  }

  @Test
  void aShortConfiguredTokenIsWarnedAboutAndNeverPrinted(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CollectorConfig config = config(dir, "false").with("http.token", "hunter2-token");
    try (CollectorApp app =
        new CollectorApp(config, new PrintStream(bytes, true, StandardCharsets.UTF_8)).start()) {
      String out = bytes.toString(StandardCharsets.UTF_8);
      assertTrue(out.contains("WARNING: http.token is 13 characters"), out);
      assertFalse(out.contains("hunter2-token"), "the token was printed: " + out);
    }
  }
}

package dev.tripline.collector.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.collector.protect.ProtectionControl;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.Patience;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.Schema;
import dev.tripline.model.protect.PolicyReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may say what, enforced by a real broker with SASL/SCRAM and the StandardAuthorizer,
 * configured with {@link KafkaAcls} (the ACLs docs/operations.md lists): a service's credentials
 * write only its own events topic; agents cannot write analyst actions; the collector, as its own
 * principal, runs and alerts for a correctly authorised service, and the service named by a batch
 * must be its topic's.
 */
class KafkaAclsTest {
  private static final Duration WAIT = Patience.WAIT;
  private static EmbeddedKafka kafka;
  @TempDir static Path dir;

  @BeforeAll
  static void secureBroker() {
    kafka = EmbeddedKafka.builder().scramWithAcls("admin", "admin-secret").build().start();
    kafka.addScramUser("tripline-collector", "collector-secret");
    kafka.addScramUser("svc-payments", "payments-secret");
    kafka.addScramUser("svc-orders", "orders-secret");
  }

  @AfterAll
  static void stop() {
    if (kafka != null) kafka.close();
  }

  static CollectorConfig collectorConfig(Path data) {
    CollectorConfig.Builder b =
        CollectorConfig.builder()
            .set("bootstrap.servers", kafka.bootstrapServers(EmbeddedKafka.SASL_LISTENER))
            .set("data.dir", data.toString())
            .set("topic.partitions", "1")
            .set("topic.events.shared", "false")
            .set("learning.period", "1h");
    kafka
        .saslClientProperties("tripline-collector", "collector-secret")
        .forEach(
            (k, v) -> {
              if (!k.equals("bootstrap.servers")) b.set("kafka." + k, (String) v);
            });
    return b.build();
  }

  /** What an operator does when a service is onboarded: its topic, its principal's ACLs. */
  static void onboard(Admin admin, String service, String principal) throws Exception {
    String topic = ServiceTopics.topicFor(Schema.EVENTS_TOPIC, service);
    admin
        .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
        .all()
        .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
    admin
        .createAcls(KafkaAcls.agent(principal, Schema.EVENTS_TOPIC, service))
        .all()
        .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  static KafkaProducer<String, byte[]> producer(String user, String password) {
    Properties p = kafka.saslClientProperties(user, password);
    p.put("max.block.ms", "10000");
    p.put("delivery.timeout.ms", "15000");
    p.put("request.timeout.ms", "10000");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static byte[] batch(String service, Event... events) {
    return EventBatch.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setAgent(AgentIdentity.newBuilder().setService(service).setInstanceId("i-1").setHost("h"))
        .addAllEvents(List.of(events))
        .build()
        .toByteArray();
  }

  static Throwable refusal(
      KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                producer
                    .send(new ProducerRecord<>(topic, key, value))
                    .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void onlyTheRightPrincipalsWriteAndTheCollectorAlertsForAnAuthorisedService() throws Exception {
    CollectorConfig config = collectorConfig(dir.resolve("collector"));
    try (Admin admin = kafka.admin()) {
      admin
          .createAcls(KafkaAcls.collector("User:tripline-collector", config))
          .all()
          .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    // The collector creates its public topics and runs under its own principal.
    CollectorTopics.ensure(config, config.get(CollectorKeys.BOOTSTRAP_SERVERS));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (DetectionPipeline pipeline = new DetectionPipeline(config, meters).start();
        Admin admin = kafka.admin();
        KafkaProducer<String, byte[]> payments = producer("svc-payments", "payments-secret");
        KafkaProducer<String, byte[]> orders = producer("svc-orders", "orders-secret")) {
      // Services are onboarded after the collector started: their topics are picked up within
      // seconds.
      onboard(admin, "payments", "User:svc-payments");
      onboard(admin, "orders", "User:svc-orders");
      admin
          .createTopics(List.of(new NewTopic("tripline.events.payments-eu", 1, (short) 1)))
          .all()
          .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);

      // A second service's credentials cannot write for payments.
      assertInstanceOf(
          TopicAuthorizationException.class,
          refusal(
              orders,
              "tripline.events.payments",
              "payments",
              batch("payments", PipelineFixtures.read("/srv/payments/x"))));
      // Nor can payments' credentials write a topic that merely starts with its name (the ACL is
      // literal).
      assertInstanceOf(
          TopicAuthorizationException.class,
          refusal(
              payments,
              "tripline.events.payments-eu",
              "payments-eu",
              batch("payments-eu", PipelineFixtures.read("/x"))));
      // An agent cannot write analyst actions, alerts or the shared topic.
      byte[] action =
          AnalystAction.newBuilder()
              .setType(AnalystAction.ActionType.SET_LEARNING)
              .setService("payments")
              .setActor("alice@soc")
              .build()
              .toByteArray();
      assertInstanceOf(
          TopicAuthorizationException.class,
          refusal(payments, "tripline.actions", "payments", action));
      assertInstanceOf(
          TopicAuthorizationException.class,
          refusal(payments, "tripline.alerts", "payments", action));
      assertInstanceOf(
          TopicAuthorizationException.class,
          refusal(
              payments, "tripline.events", "orders", batch("orders", PipelineFixtures.read("/x"))));
      // Nor the collector's internal topics: its profile changelog and the views the console reads.
      for (String internal :
          List.of(
              "tripline-collector-profiles-changelog",
              "tripline-collector.profile-view",
              "tripline-collector.audit")) {
        assertInstanceOf(
            TopicAuthorizationException.class,
            refusal(payments, internal, "payments", action),
            internal);
      }

      // On its own topic, payments may only speak for payments: a batch naming orders is
      // dead-lettered.
      payments
          .send(
              new ProducerRecord<>(
                  "tripline.events.payments",
                  "orders",
                  batch("orders", PipelineFixtures.spawn("/bin/sh", "-c", "id"))))
          .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
      // The authorised service is heard: known-bad alerts while it learns.
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                payments
                    .send(
                        new ProducerRecord<>(
                            "tripline.events.payments",
                            "payments",
                            batch("payments", PipelineFixtures.spawn("/bin/sh", "-c", "id"))))
                    .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
                return !pipeline
                    .backend()
                    .alerts(
                        new dev.tripline.collector.api.AnalystBackend.AlertQuery(
                            "payments", null, null, null, 10))
                    .isEmpty();
              });
      Alert alert =
          pipeline
              .backend()
              .alerts(
                  new dev.tripline.collector.api.AnalystBackend.AlertQuery(
                      "payments", null, null, null, 10))
              .get(0);
      assertEquals(AlertReason.KNOWN_BAD, alert.getReason());
      assertEquals("payments", alert.getService());
      assertTrue(
          pipeline.backend().profile("orders").isEmpty(), "nobody spoke for orders on its topic");
      assertEquals(
          1.0,
          meters
              .get("tripline.events.refused")
              .tag("reason", "service_mismatch")
              .counter()
              .count());

      // Protection policies (docs/protection.md): the collector, as its own principal (no super
      // user), creates payments' policy topic and writes the policy; payments' login reads it by
      // assignment, orders' login cannot.
      try (ProtectionControl protection =
          new ProtectionControl(config, pipeline.backend(), meters)) {
        protection.set(
            "payments",
            "{\"mode\":\"block\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "alice@soc");
      }
      PolicyReader reader = new PolicyReader("payments");
      List<byte[]> policies =
          readPolicy("svc-payments", "payments-secret", "tripline.policy.payments");
      assertEquals(1, policies.size());
      assertTrue(reader.offer(policies.get(0)).applied());
      assertEquals(ProtectionMode.BLOCK, reader.held().orElseThrow().getMode());
      assertThrows(
          TopicAuthorizationException.class,
          () -> readPolicy("svc-orders", "orders-secret", "tripline.policy.payments"));
    }
  }

  /** Every record of a policy topic, read as an agent does: by assignment, no consumer group. */
  static List<byte[]> readPolicy(String user, String password, String topic) {
    Properties p = kafka.saslClientProperties(user, password);
    p.put("allow.auto.create.topics", "false");
    List<byte[]> out = new java.util.ArrayList<>();
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
}

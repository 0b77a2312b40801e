package dev.tripline.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBroker.class)
class EmbeddedKafkaTest {

  @Test
  void sharedBrokerTakesWritesAndReads(EmbeddedKafka kafka) throws Exception {
    String topic = "t-" + UUID.randomUUID();
    try (var admin = kafka.admin()) {
      assertEquals(List.of(topic), Topics.ensure(admin, Map.of(topic, 2), (short) 1, Map.of()));
      assertEquals(
          List.of(),
          Topics.ensure(admin, Map.of(topic, 2), (short) 1, Map.of()),
          "second ensure creates nothing");
    }
    produce(kafka.bootstrapServers(), topic, "hello");
    assertEquals(List.of("hello"), consumeAll(kafka.bootstrapServers(), topic, 1));
  }

  @Test
  void restartOnTheSameDataDirectoryKeepsTheData(@TempDir Path dir) throws Exception {
    String topic = "kept";
    try (EmbeddedKafka first = EmbeddedKafka.builder().dataDir(dir).build().start()) {
      try (var admin = first.admin()) {
        Topics.ensure(admin, Map.of(topic, 1), (short) 1, Map.of());
      }
      produce(first.bootstrapServers(), topic, "before-restart");
    }
    assertTrue(
        Files.exists(dir.resolve("meta.properties")), "data directory was formatted and kept");
    try (EmbeddedKafka second = EmbeddedKafka.builder().dataDir(dir).build().start()) {
      assertEquals(List.of("before-restart"), consumeAll(second.bootstrapServers(), topic, 1));
    }
  }

  static void produce(String bootstrap, String topic, String value) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", value)).get();
    }
  }

  static List<String> consumeAll(String bootstrap, String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}

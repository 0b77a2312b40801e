package dev.tripline.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorConfigTest {

  @Test
  void layersApplyInOrderAndKafkaKeysPassThrough(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.properties");
    Files.writeString(
        file, "learning.period=2h\nkafka.security.protocol=SSL\ntopic.partitions=6\n");
    CollectorConfig c =
        CollectorConfig.builder()
            .file(file)
            .environment(
                Map.of(
                    "TRIPLINE_TOPIC_PARTITIONS",
                    "12",
                    "TRIPLINE_KAFKA_SASL_MECHANISM",
                    "PLAIN",
                    "PATH",
                    "/bin"))
            .set("learning.quiet", "5m")
            .build();
    assertEquals(Duration.ofHours(2), c.get(CollectorKeys.LEARNING_PERIOD));
    assertEquals(Duration.ofMinutes(5), c.get(CollectorKeys.LEARNING_QUIET));
    assertEquals(12, c.get(CollectorKeys.TOPIC_PARTITIONS), "environment overrides the file");
    assertEquals("SSL", c.kafkaClientProperties().get("security.protocol"));
    assertEquals("PLAIN", c.kafkaClientProperties().get("sasl.mechanism"));
    assertTrue(c.embedded());
  }

  @Test
  void unknownKeysAndBadValuesNameTheKey() {
    var unknown =
        assertThrows(
            CollectorConfig.ConfigException.class,
            () -> CollectorConfig.builder().set("http.prot", "1"));
    assertTrue(
        unknown.getMessage().contains("'http.prot'")
            && unknown.getMessage().contains("'http.port'"),
        unknown.getMessage());
    var bad =
        assertThrows(
            CollectorConfig.ConfigException.class,
            () -> CollectorConfig.builder().set("learning.period", "soon").build());
    assertTrue(
        bad.getMessage().contains("'learning.period'") && bad.getMessage().contains("duration"),
        bad.getMessage());
  }

  @Test
  void secretsComeFromFilesAndAreMaskedWhenDescribed(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("pw");
    Files.writeString(secret, "s3cr3t\n");
    CollectorConfig c =
        CollectorConfig.builder().set("kafka.ssl.keystore.password", "@file:" + secret).build();
    assertEquals("s3cr3t", c.kafkaClientProperties().get("ssl.keystore.password"));
    assertEquals("******", c.describe().get("kafka.ssl.keystore.password"));
  }
}

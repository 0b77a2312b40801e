package dev.tripline.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {

  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }

  private static String failure(Properties p, Map<String, String> env) {
    return assertThrows(AgentConfig.ConfigException.class, () -> AgentConfig.load(p, env)).getMessage();
  }

  @Test
  void aPropertyWinsOverTheEnvironmentWhichWinsOverTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.properties");
    Files.writeString(file, "tripline.service.name=from-file\nflush.interval=2s\nlabels=team=a\n");
    AgentConfig c = AgentConfig.load(props("tripline.config", file.toString(), "tripline.sink", "none"),
        Map.of("TRIPLINE_SERVICE_NAME", "from-env", "TRIPLINE_FLUSH_INTERVAL", "3s"));
    assertEquals("from-env", c.get("service.name"));
    assertEquals(3_000, c.durationMillis("flush.interval"), "the environment beats the file");
    assertEquals(Map.of("team", "a"), c.labels());
    AgentConfig byProperty = AgentConfig.load(props("tripline.service.name", "from-property", "tripline.sink", "none"),
        Map.of("TRIPLINE_SERVICE_NAME", "from-env"));
    assertEquals("from-property", byProperty.get("service.name"));
  }

  @Test
  void aMistypedKeyIsNamedWithASuggestion() {
    String message = failure(props("tripline.servce.name", "x"), Map.of());
    assertTrue(message.contains("'tripline.servce.name' is unknown (did you mean 'tripline.service.name'?)"), message);
    assertTrue(failure(props(), Map.of("TRIPLINE_QUEUE_CAPACTY", "5")).contains("queue.capacty"));
  }

  @Test
  void badValuesNameTheKeyAndWhatIsExpected() {
    assertTrue(failure(props("tripline.sink", "none", "tripline.flush.interval", "soon"), Map.of())
        .contains("expected a duration such as 500ms, 10s or 1m"));
    assertTrue(failure(props("tripline.sink", "none", "tripline.debug", "yes"), Map.of()).contains("expected true or false"));
    assertTrue(failure(props("tripline.sink", "none", "tripline.capture", "net,disk"), Map.of()).contains("'disk'"));
    assertTrue(failure(props(), Map.of()).contains("kafka.bootstrap.servers"), "Kafka needs a bootstrap address");
  }

  @Test
  void secretsComeFromFilesAndKafkaKeysPassThrough(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("jaas");
    Files.writeString(secret, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"a\" password=\"s3cr3t\";\n");
    AgentConfig c = AgentConfig.load(props("tripline.kafka.bootstrap.servers", "k:9093",
        "tripline.kafka.sasl.jaas.config", "@file:" + secret, "tripline.kafka.security.protocol", "SASL_SSL"), Map.of());
    Properties kafka = c.kafkaProducerProperties();
    assertEquals("k:9093", kafka.getProperty("bootstrap.servers"));
    assertEquals("SASL_SSL", kafka.getProperty("security.protocol"));
    assertTrue(kafka.getProperty("sasl.jaas.config").contains("s3cr3t"), "read from the file, trimmed");
    assertFalse(kafka.containsKey("topic"), "the agent's own kafka.topic is not a producer setting");
    String missing = failure(props("tripline.kafka.bootstrap.servers", "k:9093",
        "tripline.kafka.ssl.key.password", "@file:" + dir.resolve("absent")), Map.of());
    assertTrue(missing.contains("kafka.ssl.key.password") && !missing.contains("s3cr3t"), missing);
  }
}

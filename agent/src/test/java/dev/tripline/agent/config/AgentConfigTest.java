package dev.tripline.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    return assertThrows(AgentConfig.ConfigException.class, () -> AgentConfig.load(p, env))
        .getMessage();
  }

  @Test
  void aPropertyWinsOverTheEnvironmentWhichWinsOverTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.properties");
    Files.writeString(file, "tripline.service.name=from-file\nflush.interval=2s\nlabels=team=a\n");
    AgentConfig c =
        AgentConfig.load(
            props("tripline.config", file.toString(), "tripline.sink", "none"),
            Map.of("TRIPLINE_SERVICE_NAME", "from-env", "TRIPLINE_FLUSH_INTERVAL", "3s"));
    assertEquals("from-env", c.get(AgentKeys.SERVICE_NAME));
    assertEquals(3_000, c.get(AgentKeys.FLUSH_INTERVAL), "the environment beats the file");
    assertEquals(Map.of("team", "a"), c.labels());
    AgentConfig byProperty =
        AgentConfig.load(
            props("tripline.service.name", "from-property", "tripline.sink", "none"),
            Map.of("TRIPLINE_SERVICE_NAME", "from-env"));
    assertEquals("from-property", byProperty.get(AgentKeys.SERVICE_NAME));
  }

  private static AgentConfig none(String... kv) {
    Properties p = props(kv);
    p.setProperty("tripline.sink", p.getProperty("tripline.sink", "none"));
    return AgentConfig.load(p, Map.of());
  }

  @Test
  void onlyTheAgentsOwnEnvironmentVariablesAreRead() {
    // Shared by every program in the container: the CLI's token, the image name, a collector key.
    Map<String, String> env =
        Map.of(
            "TRIPLINE_HTTP_TOKEN",
            "t0k",
            "TRIPLINE_IMAGE",
            "shop:1.2",
            "TRIPLINE_LEARNING_PERIOD",
            "2m",
            "TRIPLINE_QUEUE_CAPACTY",
            "5",
            "TRIPLINE_SERVICE_NAME",
            "billing",
            "TRIPLINE_SINK",
            "none",
            "TRIPLINE_KAFKA_SECURITY_PROTOCOL",
            "SSL");
    AgentConfig c = AgentConfig.load(props(), env);
    assertEquals(List.of(), c.warnings(), "other programs' variables are ignored silently");
    assertEquals("billing", c.get(AgentKeys.SERVICE_NAME));
    assertEquals(8192, c.get(AgentKeys.QUEUE_CAPACITY));
    assertEquals(
        "SSL",
        c.kafkaProducerProperties().getProperty("security.protocol"),
        "TRIPLINE_KAFKA_* are the agent's");
    assertEquals(
        "TRIPLINE_KAFKA_BOOTSTRAP_SERVERS", AgentConfig.envName("kafka.bootstrap.servers"));
  }

  @Test
  void aMistypedKeyIsAWarningWithASuggestionAndTheAgentCarriesOn() {
    AgentConfig c =
        none(
            "tripline.servce.name",
            "x",
            "tripline.flush.intervall",
            "5s",
            "tripline.totally.different",
            "1");
    assertEquals(
        List.of(
            "configuration key 'tripline.flush.intervall' is unknown (did you mean 'tripline.flush.interval'?); ignored",
            "configuration key 'tripline.servce.name' is unknown (did you mean 'tripline.service.name'?); ignored",
            "configuration key 'tripline.totally.different' is unknown; ignored"),
        c.warnings());
    assertEquals(10_000, c.get(AgentKeys.FLUSH_INTERVAL));
    assertEquals("", c.get(AgentKeys.SERVICE_NAME));
    assertTrue(c.enabled());
  }

  @Test
  void aBadValueIsAWarningAndTheKeyKeepsItsDefault() {
    AgentConfig c =
        none(
            "tripline.flush.interval",
            "soon",
            "tripline.heartbeat.interval",
            "99999999999999999m",
            "tripline.debug",
            "yes",
            "tripline.capture",
            "net,disk",
            "tripline.queue.capacity",
            "abc",
            "tripline.cache.size",
            "2000000000",
            "tripline.jmx",
            "false");
    assertEquals(10_000, c.get(AgentKeys.FLUSH_INTERVAL));
    assertEquals(
        30_000,
        c.get(AgentKeys.HEARTBEAT_INTERVAL),
        "an overflowing duration is bad, not negative");
    assertFalse(c.debug());
    assertTrue(
        c.captures("file") && c.captures("net") && c.captures("dns") && c.captures("process"),
        "capture: all");
    assertEquals(8192, c.get(AgentKeys.QUEUE_CAPACITY));
    assertEquals(4096, c.get(AgentKeys.CACHE_SIZE), "beyond the bound is bad too");
    assertFalse(c.jmx(), "good values of the same configuration are kept");
    String all = String.join("\n", c.warnings());
    assertEquals(6, c.warnings().size(), all);
    assertTrue(
        all.contains(
            "configuration key 'tripline.flush.interval' is 'soon', expected a duration such as 500ms, 30s, 5m or 2h (at most 1000000d); using the default 10s"),
        all);
    assertTrue(
        all.contains("'tripline.debug' is 'yes', expected true or false; using the default false"),
        all);
    assertTrue(
        all.contains(
            "'tripline.capture' names 'disk', expected a list of net, dns, file, process, code; using the default net,dns,file,process,code"),
        all);
    assertTrue(
        all.contains(
            "'tripline.queue.capacity' is 'abc', expected a positive whole number up to 1000000; using the default 8192"),
        all);
    assertTrue(all.contains("'tripline.cache.size' is '2000000000'"), all);
  }

  @Test
  void aBadSinkFallsBackToKafkaWhichStillNeedsAnAddress() {
    AgentConfig c =
        AgentConfig.load(
            props("tripline.sink", "kafak", "tripline.kafka.bootstrap.servers", "k:9092"),
            Map.of());
    assertEquals("kafka", c.get(AgentKeys.SINK));
    assertTrue(
        c.warnings()
            .get(0)
            .contains(
                "'tripline.sink' is 'kafak', expected kafka, none or jsonl:<path>; using the default kafka"));
    AgentConfig.ConfigException off =
        assertThrows(
            AgentConfig.ConfigException.class,
            () -> AgentConfig.load(props("tripline.sink", "jsonl:"), Map.of()));
    assertTrue(
        off.getMessage()
            .contains("'tripline.kafka.bootstrap.servers' is required when tripline.sink=kafka"),
        off.getMessage());
    assertEquals(1, off.warnings().size(), "the warning that explains it is said first");
    assertTrue(off.warnings().get(0).contains("'tripline.sink' is 'jsonl:'"));
  }

  @Test
  void theOneMistakeThatSwitchesTheAgentOffIsKafkaWithoutAnAddress() {
    assertTrue(
        failure(props(), Map.of()).contains("kafka.bootstrap.servers"),
        "Kafka needs a bootstrap address");
    assertEquals(
        "k:1",
        AgentConfig.load(props(), Map.of("TRIPLINE_KAFKA_BOOTSTRAP_SERVERS", "k:1"))
            .get(AgentKeys.KAFKA_BOOTSTRAP_SERVERS));
  }

  @Test
  void anUnreadableConfigFileIsAWarning(@TempDir Path dir) {
    AgentConfig c =
        none(
            "tripline.config",
            dir.resolve("absent.properties").toString(),
            "tripline.service.name",
            "s");
    assertEquals(1, c.warnings().size());
    assertTrue(
        c.warnings()
            .get(0)
            .startsWith("configuration key 'tripline.config' names a file that cannot be read: "),
        c.warnings().get(0));
    assertEquals("s", c.get(AgentKeys.SERVICE_NAME));
  }

  @Test
  void warningsAreBounded(@TempDir Path dir) throws Exception {
    StringBuilder file = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      file.append("typo").append(i).append("=x\n");
    }
    Path f = dir.resolve("agent.properties");
    Files.writeString(f, file);
    AgentConfig c = none("tripline.config", f.toString());
    assertEquals(AgentConfig.MAX_WARNINGS + 1, c.warnings().size());
    assertEquals(
        "more configuration warnings left out", c.warnings().get(AgentConfig.MAX_WARNINGS));
  }

  @Test
  void secretsComeFromFilesAndKafkaKeysPassThrough(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("jaas");
    Files.writeString(
        secret,
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"a\" password=\"s3cr3t\";\n");
    AgentConfig c =
        AgentConfig.load(
            props(
                "tripline.kafka.bootstrap.servers",
                "k:9093",
                "tripline.kafka.sasl.jaas.config",
                "@file:" + secret,
                "tripline.kafka.security.protocol",
                "SASL_SSL"),
            Map.of());
    Properties kafka = c.kafkaProducerProperties();
    assertEquals("k:9093", kafka.getProperty("bootstrap.servers"));
    assertEquals("SASL_SSL", kafka.getProperty("security.protocol"));
    assertTrue(
        kafka.getProperty("sasl.jaas.config").contains("s3cr3t"), "read from the file, trimmed");
    assertFalse(
        kafka.containsKey("topic"), "the agent's own kafka.topic is not a producer setting");
    String missing =
        failure(
            props(
                "tripline.kafka.bootstrap.servers",
                "k:9093",
                "tripline.kafka.ssl.key.password",
                "@file:" + dir.resolve("absent")),
            Map.of());
    assertTrue(missing.contains("kafka.ssl.key.password") && !missing.contains("s3cr3t"), missing);
    // Outside Kafka's settings an unreadable secret file is a warning: the key keeps its default.
    AgentConfig c2 = none("tripline.service.name", "@file:" + dir.resolve("absent"));
    assertEquals("", c2.get(AgentKeys.SERVICE_NAME));
    assertTrue(
        c2.warnings()
            .get(0)
            .contains("'tripline.service.name' names a secret file that cannot be read"),
        c2.warnings().toString());
  }
}

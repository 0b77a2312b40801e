package dev.tripline.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.config.DocumentedKeys;
import dev.tripline.config.Key;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The agent's declarations against its documentation, and hostile values through the real loader.
 */
class AgentKeysTest {

  static String section(String heading, String next) throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
    int from = doc.indexOf("\n## " + heading + "\n");
    int to = doc.indexOf("\n## " + next + "\n", from);
    assertTrue(
        from >= 0 && to > from,
        "docs/configuration.md has the sections " + heading + " and " + next);
    return doc.substring(from, to);
  }

  @Test
  void docsListEveryKeyWithItsDefaultAndNoOther() throws Exception {
    assertEquals(
        List.of(), DocumentedKeys.problems(AgentKeys.TABLE, section("Agent", "Collector")));
    assertEquals(
        24,
        AgentKeys.TABLE.keys().size(),
        "a key added here needs its row in docs/configuration.md");
  }

  @Test
  void everyDefaultWrittenOutIsAValidValue() {
    for (Key<?> key : AgentKeys.TABLE.keys()) {
      if (key.defaultText().isEmpty()) {
        continue;
      }
      AgentConfig c =
          AgentConfig.load(
              props(
                  "tripline.sink",
                  "none",
                  "tripline.kafka.bootstrap.servers",
                  "k:1",
                  "tripline." + key.name(),
                  key.defaultText()),
              Map.of());
      assertEquals(List.of(), c.warnings(), key.name());
    }
  }

  @Test
  void hostileValuesAreOneLineEachAndTheDefaultsStay() {
    String huge = "9".repeat(1_000_000);
    AgentConfig c =
        AgentConfig.load(
            props(
                "tripline.sink",
                "none",
                "tripline.flush.interval",
                "999999999999h",
                "tripline.heartbeat.interval",
                "-5s",
                "tripline.queue.capacity",
                huge,
                "tripline.cache.size",
                "\u0664\u0660\u0669\u0666", // Arabic-Indic 4096
                "tripline.jmx",
                "",
                "tripline.capture",
                "net,\n" + "x".repeat(100_000),
                "tripline." + "k".repeat(100_000),
                "1"),
            Map.of());
    assertEquals(10_000, c.get(AgentKeys.FLUSH_INTERVAL));
    assertEquals(30_000, c.get(AgentKeys.HEARTBEAT_INTERVAL));
    assertEquals(8192, c.get(AgentKeys.QUEUE_CAPACITY));
    assertEquals(4096, c.get(AgentKeys.CACHE_SIZE));
    assertTrue(c.jmx());
    assertTrue(c.captures("file"), "a bad capture list keeps all four");
    assertEquals(7, c.warnings().size(), String.join("\n", c.warnings()));
    for (String w : c.warnings()) {
      assertFalse(w.contains("\n") || w.length() > 300, w.length() + " chars: " + w);
    }
    String all = String.join("\n", c.warnings());
    assertTrue(
        all.contains(
            "'tripline.flush.interval' is '999999999999h', expected a duration such as 500ms, 30s, 5m or 2h "
                + "(at most 1000000d); using the default 10s"),
        all);
    assertTrue(all.contains("'tripline.heartbeat.interval' is '-5s', expected a duration"), all);
    assertTrue(
        all.contains(
            "'tripline.cache.size' is '\u0664\u0660\u0669\u0666', expected a positive whole number up to 1000000; using the default 4096"),
        all);
    assertTrue(
        all.contains("'tripline.jmx' is '', expected true or false; using the default true"), all);
    assertTrue(
        all.contains(
            "'tripline.capture' names '"
                + "x".repeat(60)
                + "…', expected a list of net, dns, file, process"),
        all);
  }

  @Test
  void thousandsOfOtherProgramsVariablesAreIgnoredSilently() {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      env.put("TRIPLINE_SOMEONE_ELSES_SETTING_" + i, "?");
      env.put("TRIPLINE_FLUSH_INTERVAL_" + i, "bad");
    }
    env.put("TRIPLINE_flush_interval", "1ms");
    env.put("TRIPLINE_FLUSH_INTERVAL", "3s");
    env.put("TRIPLINE_SINK", "none");
    AgentConfig c = AgentConfig.load(new Properties(), env);
    assertEquals(List.of(), c.warnings());
    assertEquals(3_000, c.get(AgentKeys.FLUSH_INTERVAL), "the canonical name only");
    assertTrue(AgentConfig.ownsEnvironmentVariable("TRIPLINE_KAFKA_SSL_TRUSTSTORE_LOCATION"));
    assertFalse(AgentConfig.ownsEnvironmentVariable("TRIPLINE_LEARNING_PERIOD"), "the collector's");
  }

  @Test
  void aDurationMayNowCarryHoursOrDays() {
    AgentConfig c =
        AgentConfig.load(
            props(
                "tripline.sink",
                "none",
                "tripline.heartbeat.interval",
                "1h",
                "tripline.flush.interval",
                "1d"),
            Map.of());
    assertEquals(List.of(), c.warnings());
    assertEquals(3_600_000, c.get(AgentKeys.HEARTBEAT_INTERVAL));
    assertEquals(86_400_000, c.get(AgentKeys.FLUSH_INTERVAL));
  }

  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }
}

package dev.tripline.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.config.DocumentedKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The collector's declarations against its documentation, and hostile values through the real
 * builder.
 */
class CollectorKeysTest {

  @Test
  void docsListEveryKeyWithItsDefaultAndNoOther() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
    String collector = doc.substring(doc.indexOf("\n## Collector\n"));
    assertEquals(List.of(), DocumentedKeys.problems(CollectorKeys.TABLE, collector));
    assertEquals(
        CollectorKeys.TABLE.names(),
        CollectorConfig.KEYS.keySet(),
        "KEYS is the declarations, in their order");
  }

  private static String refused(String key, String value) {
    var e =
        assertThrows(
            CollectorConfig.ConfigException.class,
            () -> CollectorConfig.builder().set(key, value).build());
    assertFalse(e.getMessage().contains("\n") || e.getMessage().length() > 300, e.getMessage());
    assertTrue(e.getMessage().startsWith("configuration key '" + key + "': "), e.getMessage());
    return e.getMessage();
  }

  @Test
  void hostileValuesStopTheCollectorWithOneLineNamingTheKey() {
    assertEquals(
        "configuration key 'learning.period': '999999999999h' is not a duration such as 500ms, 30s, 5m or 2h (at most 1000000d)",
        refused("learning.period", "999999999999h"),
        "before, this wrapped silently into a negative duration");
    refused("learning.quiet", "-1h");
    refused("rate.window", "0s");
    refused("topic.replication", "65537"); // would have wrapped to 1 in the (short) cast
    refused("topic.partitions", "0");
    refused("http.port", "70000");
    refused("http.threads", "2");
    refused("http.max.body.bytes", "99999999999");
    refused("streams.threads", "\u0662");
    refused("topic.events.shared", "yes"); // read as false before, silently
    refused("rate.threshold", "NaN");
    assertTrue(refused("record.max.bytes", "9".repeat(1_000_000)).length() < 300);
    String control = refused("http.max.body.bytes", "x\u0000y");
    assertTrue(
        control.contains("'x?y'"), "control characters never reach the terminal: " + control);
  }

  @Test
  void aSecretValueIsNeverEchoed() {
    var e =
        assertThrows(
            CollectorConfig.ConfigException.class,
            () ->
                CollectorConfig.builder()
                    .set("kafka.ssl.key.password", "hunter2")
                    .build()
                    .getInt("kafka.ssl.key.password"));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @Test
  void everyValueThatWorkedBeforeStillDoes() {
    CollectorConfig c =
        CollectorConfig.builder()
            .set("http.max.body.bytes", "64KiB")
            .set("learning.period", "7d")
            .set("streams.commit.interval", "0ms")
            .set("embedded.port", "0")
            .set("rate.threshold", ".75")
            .build();
    assertEquals(
        65_536, c.getInt("http.max.body.bytes"), "sizes take units now; plain bytes as before");
    assertEquals(786_432, c.getInt("profile.max.bytes"));
    assertEquals(Duration.ofDays(7), c.getDuration("learning.period"));
    assertEquals(Duration.ZERO, c.getDuration("streams.commit.interval"));
    assertEquals(0, c.getInt("embedded.port"));
    CollectorConfig defaults = CollectorConfig.defaults();
    CollectorKeys.TABLE
        .keys()
        .forEach(k -> assertEquals(k.defaultText(), defaults.get(k.name()), k.name()));
  }

  @Test
  void onlyTheCollectorsOwnVariablesAmongThousands() {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      env.put("TRIPLINE_AGENT_SOMETHING_" + i, "?");
      env.put("TRIPLINE_LEARNING_PERIOD_" + i, "soon");
    }
    env.put("TRIPLINE_FLUSH_INTERVAL", "bad, but the agent's");
    env.put("TRIPLINE_LEARNING_PERIOD", "2m");
    CollectorConfig c = CollectorConfig.builder().environment(env).build();
    assertEquals(Duration.ofMinutes(2), c.getDuration("learning.period"));
  }
}

package dev.tripline.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.config.DocumentedKeys;
import dev.tripline.config.InvalidValue;
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
    refused("detect.code.owner", "yes");
    refused("rate.threshold", "NaN");
    assertTrue(refused("record.max.bytes", "9".repeat(1_000_000)).length() < 300);
    String control = refused("http.max.body.bytes", "x\u0000y");
    assertTrue(
        control.contains("'x?y'"), "control characters never reach the terminal: " + control);
  }

  @Test
  void aSecretValueIsNeverEchoed() {
    // Declared secrets are text (any value fits): the line a bad one would get, built directly.
    for (String key : List.of("http.token", "kafka.ssl.key.password")) {
      String line =
          CollectorConfig.Builder.badValue(key, "hunter2", new InvalidValue("something"))
              .getMessage();
      assertFalse(line.contains("hunter2"), line);
      assertTrue(line.startsWith("configuration key '" + key + "': the value"), line);
    }
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
        65_536,
        c.get(CollectorKeys.HTTP_MAX_BODY_BYTES),
        "sizes take units now; plain bytes as before");
    assertEquals(786_432, c.get(CollectorKeys.PROFILE_MAX_BYTES));
    assertEquals(Duration.ofDays(7), c.get(CollectorKeys.LEARNING_PERIOD));
    assertEquals(Duration.ZERO, c.get(CollectorKeys.STREAMS_COMMIT_INTERVAL));
    assertEquals(0, c.get(CollectorKeys.EMBEDDED_PORT));
    CollectorConfig defaults = CollectorConfig.defaults();
    CollectorKeys.TABLE
        .keys()
        .forEach(k -> assertEquals(k.defaultValue(), defaults.get(k), k.name()));
    assertEquals(List.of(), defaults.get(CollectorKeys.EMBEDDED_SERVICES));
    assertEquals(0.6, defaults.get(CollectorKeys.RATE_THRESHOLD));
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
    assertEquals(Duration.ofMinutes(2), c.get(CollectorKeys.LEARNING_PERIOD));
  }
}

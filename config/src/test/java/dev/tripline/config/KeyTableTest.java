package dev.tripline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyTableTest {
  static final Key<Long> FLUSH = Key.of("flush.interval", Type.duration(1), "10s", "how often");
  static final Key<String> NAME = Key.of("service.name", Type.text(), "", "the service");
  static final Key<String> LOCAL =
      Key.of("local.only", Type.text(), "", "not from the environment").notFromEnvironment();
  static final KeyTable TABLE =
      KeyTable.of("TRIPLINE_", List.of("kafka."), List.of(FLUSH, NAME, LOCAL));

  @Test
  void keysMapToEnvironmentNamesAndBack() {
    assertEquals("TRIPLINE_FLUSH_INTERVAL", TABLE.envName("flush.interval"));
    assertEquals("flush.interval", TABLE.keyOf("TRIPLINE_FLUSH_INTERVAL"));
    assertEquals(
        "kafka.sasl.jaas.config", TABLE.keyOf("TRIPLINE_KAFKA_SASL_JAAS_CONFIG"), "pass-through");
    assertNull(TABLE.keyOf("TRIPLINE_KAFKA_"), "the prefix alone is no key");
    assertNull(TABLE.keyOf("TRIPLINE_flush_interval"), "only the canonical upper-case form");
    assertNull(TABLE.keyOf("TRIPLINE_FLUSH.INTERVAL"));
    assertNull(TABLE.keyOf("TRIPLINE_HTTP_TOKEN"), "another program's");
    assertNull(TABLE.keyOf("TRIPLINE_LOCAL_ONLY"), "declared, but not from the environment");
    assertNull(TABLE.keyOf("PATH"));
  }

  @Test
  void onlyThisProgramsVariablesAreTakenAmongThousandsOfOthers() {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      env.put("TRIPLINE_OTHER_PROGRAM_SETTING_" + i, "x");
      env.put("TRIPLINE_" + "A".repeat(i % 300) + "_" + i, "y");
      env.put("NOT_TRIPLINE_" + i, "z");
    }
    env.put("TRIPLINE_" + "X_".repeat(100_000), "a very long name");
    env.put("TRIPLINE_FLUSH_INTERVAL", "3s");
    env.put("TRIPLINE_KAFKA_SECURITY_PROTOCOL", "SSL");
    env.put("TRIPLINE_LOCAL_ONLY", "ignored");
    long t0 = System.nanoTime();
    Map<String, String> own = TABLE.fromEnvironment(env);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(Map.of("flush.interval", "3s", "kafka.security.protocol", "SSL"), own);
    assertTrue(ms < 2_000, "took " + ms + " ms");
  }

  @Test
  void aTypoGetsTheNearestKeyAndAHugeNameNone() {
    assertEquals("flush.interval", TABLE.suggest("flush.intervall"));
    assertNull(TABLE.suggest("totally.different"));
    long t0 = System.nanoTime();
    assertNull(TABLE.suggest("flush.interval" + "x".repeat(1_000_000)));
    assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "no quadratic work on a hostile name");
    assertTrue(TABLE.isKnown("kafka.ssl.key.password"));
    assertFalse(TABLE.isKnown("kafka."));
    assertFalse(TABLE.isKnown("kafkax"));
  }

  @Test
  void declarationMistakesFailAtOnce() {
    assertThrows(
        IllegalStateException.class,
        () -> Key.of("bad.default", Type.duration(1), "10", "a bare number"));
    assertThrows(
        IllegalStateException.class,
        () -> Key.of("under_score", Type.text(), "", "not a key name"));
    assertThrows(
        IllegalStateException.class, () -> KeyTable.of("T_", List.of(), List.of(FLUSH, FLUSH)));
  }
}

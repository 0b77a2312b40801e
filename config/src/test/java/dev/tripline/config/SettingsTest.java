package dev.tripline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
  static final Key<Long> FLUSH = Key.of("flush.interval", Type.duration(1), "10s", "how often");
  static final Key<Integer> PORT = Key.of("http.port", Type.integer(0, 65_535), "8470", "port");
  static final Key<Duration> TTL = Key.of("session.ttl", Type.javaDuration(1), "12h", "ttl");
  static final Key<Integer> BODY =
      Key.of("max.body.bytes", Type.intSize(1, Integer.MAX_VALUE), "64KiB", "body");
  static final Key<List<String>> HOSTS = Key.of("exclude.hosts", Type.list(), "", "hosts");
  static final Key<String> NAME = Key.of("service.name", Type.text(), "", "the service");
  static final KeyTable TABLE =
      KeyTable.of("TRIPLINE_", List.of("kafka."), List.of(FLUSH, PORT, TTL, BODY, HOSTS, NAME));

  @Test
  void valuesAreParsedOnceAndReadTyped() {
    List<Settings.Rejected> rejected = new ArrayList<>();
    Settings s =
        Settings.parse(
            TABLE,
            Map.of(
                "flush.interval", "3s",
                "http.port", "0",
                "session.ttl", "2m",
                "max.body.bytes", "1MiB",
                "exclude.hosts", " a.example , ,b.example",
                "kafka.acks", "all"),
            rejected);
    assertEquals(List.of(), rejected);
    assertEquals(3_000L, s.get(FLUSH));
    assertEquals(0, s.get(PORT));
    assertEquals(Duration.ofMinutes(2), s.get(TTL));
    assertEquals(1 << 20, s.get(BODY));
    assertEquals(List.of("a.example", "b.example"), s.get(HOSTS));
    assertEquals("", s.get(NAME), "unset text is empty, never null");
  }

  @Test
  void aBadValueIsRejectedNamingItsKeyAndTheKeyKeepsItsDefault() {
    List<Settings.Rejected> rejected = new ArrayList<>();
    Settings s =
        Settings.parse(
            TABLE,
            Map.of("http.port", "65536", "flush.interval", "10", "service.name", "x"),
            rejected);
    assertEquals(2, rejected.size());
    assertSame(FLUSH, rejected.get(0).key(), "in declaration order");
    assertEquals("10", rejected.get(0).text());
    assertEquals(Grammar.DURATION, rejected.get(0).problem().expected());
    assertSame(PORT, rejected.get(1).key());
    assertEquals(10_000L, s.get(FLUSH));
    assertEquals(8470, s.get(PORT));
    assertEquals("x", s.get(NAME));
  }

  @Test
  void aKeyOfAnotherTableIsRefusedEvenUnderTheSameName() {
    Settings s = Settings.defaults(TABLE);
    Key<Integer> lookAlike = Key.of("http.port", Type.integer(0, 65_535), "8470", "port");
    Key<Integer> stranger = Key.of("not.declared", Type.integer(0, 1), "0", "x");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> s.get(lookAlike))
            .getMessage()
            .contains("'http.port'"));
    assertThrows(IllegalArgumentException.class, () -> s.get(stranger));
  }

  @Test
  void everyKeyHasADefaultValueParsedAtDeclaration() {
    assertEquals(65_536, BODY.defaultValue());
    assertEquals(List.of(), HOSTS.defaultValue());
    IllegalStateException noDefault =
        assertThrows(
            IllegalStateException.class, () -> Key.of("a.number", Type.integer(1, 9), "", "x"));
    assertTrue(noDefault.getMessage().contains("'a.number'"), noDefault.getMessage());
  }

  @Test
  void sizesReadIntoAnIntStayWithinIt() {
    assertThrows(InvalidValue.class, () -> BODY.parse("2GiB"));
    assertEquals(Integer.MAX_VALUE, BODY.parse(Integer.toString(Integer.MAX_VALUE)));
    assertThrows(InvalidValue.class, () -> TTL.parse("0s"), "at least 1 ms");
  }
}

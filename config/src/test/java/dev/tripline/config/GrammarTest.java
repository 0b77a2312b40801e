package dev.tripline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one grammar: every value both sides documented keeps working; hostile values are one clear
 * error.
 */
class GrammarTest {

  private static String refused(Type<?> type, String text) {
    InvalidValue e =
        assertThrows(InvalidValue.class, () -> type.parse(text), "'" + text + "' must be refused");
    assertTrue(!e.getMessage().contains("\n") && !e.getMessage().isEmpty(), e.getMessage());
    return e.getMessage();
  }

  @Test
  void durationsTakeEveryUnitEitherSideTookBefore() {
    assertEquals(500, Grammar.durationMillis("500ms"));
    assertEquals(30_000, Grammar.durationMillis("30s"));
    assertEquals(300_000, Grammar.durationMillis("5m"));
    assertEquals(7_200_000, Grammar.durationMillis("2h"));
    assertEquals(7 * 86_400_000L, Grammar.durationMillis("7d"));
    assertEquals(
        10_000,
        Grammar.durationMillis(" 10 S "),
        "trimmed, a space before the unit, any case: as both sides read it before");
    assertEquals(0, Grammar.durationMillis("0s"), "zero is a duration; keys that need more say so");
    // Every duration documented in docs/configuration.md and used in deploy/.
    for (String documented :
        List.of(
            "10s", "2s", "30s", "24h", "1h", "1m", "100ms", "12h", "60s", "2m", "1500ms", "3s")) {
      assertTrue(Grammar.durationMillis(documented) > 0, documented);
    }
  }

  @Test
  void hostileDurationsAreRefusedNeverWrapped() {
    Type<Long> positive = Type.duration(1);
    for (String bad :
        List.of(
            "999999999999h",
            "9223372036854775807d",
            "99999999999999999999999999ms",
            "-5s",
            "",
            "  ",
            "10",
            "s",
            "5 m s",
            "5.5s",
            "+5s",
            "1_000ms",
            "0x10s",
            "5sec",
            "\u0665s",
            "\uff15s",
            "5\u0000s",
            "1e3ms",
            "0s")) {
      assertEquals(Grammar.DURATION, refused(positive, bad), bad);
    }
    assertEquals(
        Grammar.DURATION, refused(positive, "9".repeat(1_000_000) + "s"), "a megabyte of digits");
    assertEquals(
        Grammar.MAX_DURATION_MILLIS,
        Grammar.durationMillis("1000000d"),
        "the largest: 'never' in any configuration");
    assertEquals(Grammar.DURATION, refused(positive, "1000001d"));
    assertEquals(
        Grammar.DURATION,
        refused(positive, "9223372036854775807ms"),
        "would wrap now + duration into the past");
  }

  @Test
  void sizesTakeBytesOrBinaryUnits() {
    assertEquals(65_536, Grammar.bytes("65536"));
    assertEquals(524_288, Grammar.bytes("512KiB"));
    assertEquals(1 << 20, Grammar.bytes("1 MiB"));
    assertEquals(2L << 30, Grammar.bytes("2gib"));
    assertEquals(8, Grammar.bytes("8B"));
    Type<Long> size = Type.size(1, Integer.MAX_VALUE);
    assertEquals(1_000_000L, size.parse("1000000"));
    for (String bad :
        List.of("2GiB", "0", "-1", "1KB", "1.5MiB", "", "99999999999999GiB", "\u0661\u0660")) {
      assertTrue(refused(size, bad).startsWith(Grammar.SIZE + " from 1 to 2147483647 bytes"), bad);
    }
  }

  @Test
  void wholeNumbersAreAsciiDigitsWithinTheirBounds() {
    Type<Integer> queue = Type.integer(1, 1_000_000);
    assertEquals(8192, queue.parse(" 8192 "));
    for (String bad :
        List.of(
            "abc",
            "0",
            "-1",
            "1000001",
            "2000000000",
            "99999999999999999999",
            "",
            "1.0",
            "+5",
            "\u0665",
            "1 000")) {
      assertEquals("a positive whole number up to 1000000", refused(queue, bad), bad);
    }
    Type<Integer> port = Type.integer(0, 65_535);
    assertEquals(0, port.parse("0"));
    assertEquals("a whole number from 0 to 65535", refused(port, "65536"));
    assertEquals(-3, Type.integer(Integer.MIN_VALUE, Integer.MAX_VALUE).parse("-3"));
    assertEquals(
        "a whole number",
        refused(Type.integer(Integer.MIN_VALUE, Integer.MAX_VALUE), "2147483648"));
  }

  @Test
  void decimalsBooleansAndLists() {
    Type<Double> score = Type.decimal(0, 1);
    assertEquals(0.6, score.parse("0.6"));
    assertEquals(0.5, score.parse(".5"));
    assertEquals(1.0, score.parse("1"));
    for (String bad :
        List.of("NaN", "Infinity", "1d", "0x1p-1", "1e-1", "1.5", "-0.1", "0.", "..5", "")) {
      assertEquals("a number from 0 to 1", refused(score, bad), bad);
    }
    assertEquals(true, Type.bool().parse("TRUE"));
    assertEquals(false, Type.bool().parse(" false "));
    for (String bad : List.of("yes", "1", "on", "", "tru")) {
      assertEquals("true or false", refused(Type.bool(), bad), bad);
    }
    assertEquals(List.of("a", "b c"), Grammar.list(" a ,, b c ,"));
    assertEquals(List.of(), Grammar.list(""));
    Type<List<String>> capture = Type.listOf("net", "dns", "file", "process");
    assertEquals(List.of("net", "PROCESS"), capture.parse("net, PROCESS"));
    InvalidValue e = assertThrows(InvalidValue.class, () -> capture.parse("net,disk,foo"));
    assertEquals("disk", e.culprit(), "the first stranger is named");
    assertEquals("a list of net, dns, file, process", e.expected());
  }

  @Test
  void anEchoedValueStaysOneShortLine() {
    assertEquals("a?b", Grammar.clip("a\nb"));
    String clipped = Grammar.clip("x".repeat(10_000));
    assertEquals(61, clipped.length());
    assertTrue(clipped.endsWith("…"));
  }
}

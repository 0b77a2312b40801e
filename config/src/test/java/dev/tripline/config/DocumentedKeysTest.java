package dev.tripline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentedKeysTest {
  static final KeyTable TABLE =
      KeyTable.of(
          "T_",
          List.of("kafka."),
          List.of(
              Key.of("flush.interval", Type.duration(1), "10s", ""),
              Key.of("a", Type.text(), "", ""),
              Key.of("b", Type.text(), "", "")));

  @Test
  void agreementAndEachKindOfDisagreement() {
    String good =
        "| key | default | meaning |\n|---|---|---|\n| `flush.interval` | `10s` | x |\n| `a`, `b` | — | y |\n"
            + "| `kafka.<any key>` | | passed on |\n";
    assertEquals(List.of(), DocumentedKeys.problems(TABLE, good));
    String bad = "| `flush.interval` | `5s` | x |\n| `a` | — | y |\n| `c` | — | z |\n";
    assertEquals(
        List.of(
            "'flush.interval' is documented with default `5s`, declared 10s",
            "'b' is declared but not documented",
            "'c' is documented but not declared"),
        DocumentedKeys.problems(TABLE, bad));
  }
}

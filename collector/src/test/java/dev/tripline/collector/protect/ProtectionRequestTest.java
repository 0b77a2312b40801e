package dev.tripline.collector.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A protection request is read strictly; every refusal names the field and its counted reason. */
class ProtectionRequestTest {
  static ProtectionRequest parse(String body) {
    return ProtectionRequest.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  static String refusal(String body) {
    return assertThrows(ProtectionRequest.Invalid.class, () -> parse(body)).reason();
  }

  @Test
  void modesAndKindsAsUsersWriteThem() {
    assertEquals(
        new ProtectionRequest(ProtectionMode.BLOCK, ProtectionModes.DEFAULT_KINDS),
        parse("{\"mode\":\"block\"}"));
    assertEquals(ProtectionMode.DRY_RUN, parse("{\"mode\":\"Dry-Run\"}").mode());
    assertEquals(ProtectionMode.PROTECTION_OFF, parse("{\"mode\":\"OFF\",\"kinds\":null}").mode());
    // Duplicates folded, order kept, names case-insensitive; an empty list enforces no kind.
    assertEquals(
        List.of(EventKind.FILE_READ, EventKind.PROCESS_SPAWN),
        parse("{\"mode\":\"block\",\"kinds\":[\"file_read\",\"PROCESS_SPAWN\",\"FILE_READ\"]}")
            .kinds());
    assertEquals(List.of(), parse("{\"mode\":\"dry-run\",\"kinds\":[]}").kinds());
  }

  @Test
  void everyBadRequestIsRefusedUnderItsReason() {
    assertEquals("unknown_mode", refusal("{\"mode\":\"lockdown\"}"));
    assertEquals("unknown_mode", refusal("{\"mode\":\"" + "b".repeat(10_000) + "\"}"));
    assertEquals("unknown_kind", refusal("{\"mode\":\"block\",\"kinds\":[\"PROCESS\"]}"));
    assertEquals("unknown_kind", refusal("{\"mode\":\"block\",\"kinds\":[\"DNS_LOOKUP\"]}"));
    assertEquals(
        "unknown_kind", refusal("{\"mode\":\"block\",\"kinds\":[\"EVENT_KIND_UNSPECIFIED\"]}"));
    assertEquals("unknown_kind", refusal("{\"mode\":\"block\",\"kinds\":[\"UNRECOGNIZED\"]}"));
    for (String malformed :
        List.of(
            "",
            "[]",
            "\"block\"",
            "{\"mode\":3}",
            "{}",
            "{\"kinds\":[\"NET_CONNECT\"]}",
            "{\"mode\":\"block\",\"kinds\":\"NET_CONNECT\"}",
            "{\"mode\":\"block\",\"kinds\":[1]}",
            "{\"mode\":\"block\",\"kinds\":[[\"NET_CONNECT\"]]}",
            "{\"mode\":\"block\",\"service\":\"other\"}",
            "{\"mode\":\"block\"",
            "[".repeat(100_000))) {
      assertEquals("malformed", refusal(malformed), malformed.length() > 80 ? "deep" : malformed);
    }
    StringBuilder many = new StringBuilder("{\"mode\":\"block\",\"kinds\":[");
    for (int i = 0; i < 17; i++) many.append(i == 0 ? "" : ",").append("\"NET_CONNECT\"");
    assertEquals("malformed", refusal(many.append("]}").toString()));
  }

  @Test
  void anErrorEchoesAttackerTextShortAndWithoutControlCharacters() {
    ProtectionRequest.Invalid e =
        assertThrows(
            ProtectionRequest.Invalid.class,
            () -> parse("{\"mode\":\"\\u001b]0;owned\\u0007" + "x".repeat(20) + "\"}"));
    assertFalse(e.getMessage().contains("\u001b"), e.getMessage());
    assertTrue(e.getMessage().length() < 200, e.getMessage());
  }
}

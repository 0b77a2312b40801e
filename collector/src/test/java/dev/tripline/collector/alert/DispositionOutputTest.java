package dev.tripline.collector.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.cli.AlertText;
import dev.tripline.collector.json.Json;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.Disposition;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProcessTarget;
import dev.tripline.model.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An alert's disposition reaches every output: OCSF's security-control attributes for SIEMs, a
 * marked line in the terminal; an alert protection did nothing about reads as before.
 */
class DispositionOutputTest {
  static Alert alert(Disposition d) {
    return Alert.newBuilder()
        .setId("a-1")
        .setService("payments")
        .setSeverity(Severity.CRITICAL)
        .setReason(AlertReason.KNOWN_BAD)
        .setTitle("Shell spawned")
        .setTimeMs(1_800_000_000_000L)
        .setLastSeenMs(1_800_000_000_000L)
        .setEvent(
            Event.newBuilder()
                .setKind(EventKind.PROCESS_SPAWN)
                .setProcess(ProcessTarget.newBuilder().setExecutable("/bin/sh")))
        .setDisposition(d)
        .build();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> ocsf(Disposition d) {
    return Json.object(OcsfJson.of(alert(d)));
  }

  @Test
  void ocsfCarriesBlockedAsDeniedAndBlocked() {
    Map<String, Object> doc = ocsf(Disposition.BLOCKED);
    assertEquals(2, ((Number) doc.get("action_id")).intValue());
    assertEquals("Denied", doc.get("action"));
    assertEquals(2, ((Number) doc.get("disposition_id")).intValue());
    assertEquals("Blocked", doc.get("disposition"));
    assertEquals(
        List.of("security_control"), ((Map<String, Object>) doc.get("metadata")).get("profiles"));
  }

  @Test
  void ocsfCarriesWouldBlockAsAllowedWithItsOwnName() {
    Map<String, Object> doc = ocsf(Disposition.WOULD_BLOCK);
    assertEquals(1, ((Number) doc.get("action_id")).intValue());
    assertEquals(99, ((Number) doc.get("disposition_id")).intValue());
    assertEquals("Would Block", doc.get("disposition"));
  }

  @Test
  void anAlertProtectionDidNothingAboutHasNoDisposition() {
    Map<String, Object> doc = ocsf(Disposition.DISPOSITION_NONE);
    assertFalse(doc.containsKey("disposition_id"));
    assertFalse(doc.containsKey("action_id"));
    assertFalse(((Map<String, Object>) doc.get("metadata")).containsKey("profiles"));
    assertFalse(AlertText.block(alert(Disposition.DISPOSITION_NONE)).contains("protection"));
    assertFalse(AlertText.row(alert(Disposition.DISPOSITION_NONE)).contains("block"));
  }

  @Test
  void theTerminalShowsIt() {
    assertTrue(
        AlertText.block(alert(Disposition.BLOCKED)).contains("protection blocked"),
        AlertText.block(alert(Disposition.BLOCKED)));
    assertTrue(AlertText.row(alert(Disposition.WOULD_BLOCK)).contains("[would block]"));
  }
}

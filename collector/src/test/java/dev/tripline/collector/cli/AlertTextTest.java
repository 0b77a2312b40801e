package dev.tripline.collector.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the demo and the CLI print: attacker-chosen strings never reach the terminal raw. */
class AlertTextTest {
  private static final String HOSTILE = "/srv/x\u001b]0;pwned\u0007\r/y";

  @Test
  void blockAndRowEscapeControlCharactersInEveryAttackerChosenField() {
    Alert a =
        Alert.newBuilder()
            .setSeverity(Severity.HIGH)
            .setReason(AlertReason.NEW_FILE_ACCESS)
            .setService("svc\u001b[2J")
            .setTitle("New file read: " + HOSTILE)
            .setId("id")
            .setEvent(
                Event.newBuilder()
                    .setKind(EventKind.FILE_READ)
                    .setFile(
                        FileTarget.newBuilder()
                            .setPath(HOSTILE)
                            .setRequestedPath("data/../" + HOSTILE))
                    .setCallSite(
                        CallSite.newBuilder()
                            .setClassName("a.B\u009b")
                            .setMethodName("m")
                            .setJarName("x\u001b.jar")))
            .build();
    for (String text : List.of(AlertText.block(a), AlertText.row(a))) {
      assertFalse(
          text.chars().anyMatch(c -> c == 0x1b || c == 0x07 || c == '\r' || c == 0x9b), text);
      assertTrue(text.contains("\\x1b]0;pwned\\x07\\r"), text);
    }
  }

  @Test
  void profileTextShowsCodeOwnersEscaped() {
    Map<String, Object> profile =
        Map.of(
            "service",
            "shop",
            "state",
            "MONITORING",
            "entries",
            List.of(
                Map.of(
                    "kind",
                    "NET_CONNECT",
                    "target",
                    "db:5432",
                    "count",
                    3,
                    "origin",
                    "learned",
                    "callSite",
                    "a.B.m",
                    "codeOwners",
                    List.of("postgresql.jar", "com.acme.*\u001b[31m"))));
    String text = ProfileCommand.render(profile);
    assertTrue(text.contains("postgresql.jar, com.acme.*\\x1b[31m"), text);
    assertFalse(text.indexOf('\u001b') >= 0, text);
  }
}

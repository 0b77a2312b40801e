package dev.tripline.collector.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tripline.collector.alert.Incidents;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.RequestContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One instance's alerts sharing a trace id are one incident (docs/detection.md "Request context"),
 * in the API: each alert names its incident, {@code GET /api/incidents} lists the groups of more
 * than one alert, oldest alert first; another instance's alert of the same trace, an alert alone in
 * its trace and one without a trace stay alerts.
 */
class IncidentsApiTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  private static Alert alert(String id, long time, String instance, String trace, AlertReason r) {
    Alert.Builder b =
        Alert.newBuilder()
            .setId(id)
            .setTimeMs(time)
            .setService("shop")
            .setReason(r)
            .setTitle(r.name())
            .setAgent(AgentIdentity.newBuilder().setInstanceId(instance).setService("shop"));
    if (trace != null) {
      b.setRequest(
          RequestContext.newBuilder()
              .setMethod("POST")
              .setRoute("/import")
              .setPath("/import")
              .setTraceId(trace));
    }
    return b.build();
  }

  @Test
  void alertsOfOneInstanceSharingATraceAreOneIncidentOldestFirst() {
    // newest first, as the alert list gives them
    List<Alert> alerts =
        List.of(
            alert("spawn", 3_000, "i-1", TRACE, AlertReason.NEW_PROCESS),
            alert("other-instance", 2_500, "i-2", TRACE, AlertReason.NEW_CONNECTION),
            alert("connect", 2_000, "i-1", TRACE, AlertReason.NEW_CONNECTION),
            alert(
                "alone", 1_500, "i-1", "00f067aa0ba902b700f067aa0ba902b7", AlertReason.NEW_LISTEN),
            alert("untraced", 1_200, "i-1", null, AlertReason.NEW_FILE_ACCESS),
            alert("lookup", 1_000, "i-1", TRACE, AlertReason.KNOWN_BAD));

    assertEquals("i-1/" + TRACE, ApiJson.alert(alerts.get(0)).get("incident"));
    assertEquals("i-2/" + TRACE, ApiJson.alert(alerts.get(1)).get("incident"));
    assertNull(ApiJson.alert(alerts.get(4)).get("incident"), "no trace, no incident");

    List<Map<String, Object>> incidents =
        Incidents.of(alerts).stream().map(ApiJson::incident).toList();
    assertEquals(1, incidents.size(), incidents.toString());
    Map<String, Object> story = incidents.get(0);
    assertEquals("i-1/" + TRACE, story.get("incident"));
    assertEquals(TRACE, story.get("traceId"));
    assertEquals("i-1", story.get("instance"));
    assertEquals(1_000L, story.get("first"));
    assertEquals(3_000L, story.get("last"));
    List<?> members = (List<?>) story.get("alerts");
    assertEquals(
        List.of("lookup", "connect", "spawn"),
        members.stream().map(m -> ((Map<?, ?>) m).get("id")).toList(),
        "the story in the order it happened");
    assertEquals("/import", ((Map<?, ?>) members.get(0)).get("route"));
  }

  @Test
  void theMostRecentIncidentComesFirst() {
    String older = "0af7651916cd43dd8448eb211c80319c";
    List<Alert> alerts =
        List.of(
            alert("b2", 900, "i-1", older, AlertReason.NEW_PROCESS),
            alert("a2", 800, "i-1", TRACE, AlertReason.NEW_PROCESS),
            alert("b1", 700, "i-1", older, AlertReason.NEW_CONNECTION),
            alert("a1", 100, "i-1", TRACE, AlertReason.KNOWN_BAD));
    List<Incidents.Incident> incidents = Incidents.of(alerts);
    assertEquals(
        List.of("i-1/" + older, "i-1/" + TRACE),
        incidents.stream().map(Incidents.Incident::key).toList());
  }
}

package dev.tripline.collector.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.cli.AlertText;
import dev.tripline.collector.json.Json;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.ProfileState;
import dev.tripline.model.RequestContext;
import dev.tripline.model.ServiceProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The request an alert's event happened in reaches every output: the alert's text and its protobuf,
 * OCSF's {@code http_request}, {@code src_endpoint} and correlation uid, the terminal.
 */
class RequestOutputTest {
  static final RequestContext REQUEST =
      RequestContext.newBuilder()
          .setServer("jdk-httpserver")
          .setMethod("POST")
          .setPath("/import")
          .setQuery("f=a&token=<redacted>")
          .setClientAddress("127.0.0.1")
          .setServerPort(8080)
          .addForwardedFor("203.0.113.7")
          .setForwardedByClient(true)
          .setTraceId("4bf92f3577b34da6a3ce929d0e0e4736")
          .setSpanId("00f067aa0ba902b7")
          .build();

  static Alert alert(boolean withRequest) {
    Event.Builder e =
        Event.newBuilder()
            .setKind(EventKind.FILE_READ)
            .setFile(FileTarget.newBuilder().setPath("/srv/app/secret.txt"))
            .setCallSite(
                CallSite.newBuilder().setClassName("com.acme.Import").setMethodName("load"))
            .setCount(1);
    if (withRequest) {
      e.setRequest(REQUEST);
    }
    ServiceProfile profile =
        ServiceProfile.newBuilder().setService("shop").setState(ProfileState.MONITORING).build();
    return Alerts.newBehaviour(
        profile, AgentIdentity.newBuilder().setInstanceId("i-1").build(), e.build(), 1_000L);
  }

  @Test
  void theAlertsTextNamesTheRequestAndItsProtobufCarriesIt() {
    Alert a = alert(true);
    assertEquals(REQUEST, a.getRequest());
    assertTrue(
        a.getDescription()
            .contains(
                "It happened during POST /import from 127.0.0.1 (forwarded for 203.0.113.7),"
                    + " trace 4bf92f35…."),
        a.getDescription());
    assertTrue(
        AlertText.block(a).contains("request    during POST /import from 127.0.0.1"),
        AlertText.block(a));
  }

  @Test
  void aRouteTemplateIsNamedBeforeThePath() {
    assertEquals(
        "during GET /owners/{ownerId} from 10.0.0.5",
        RequestText.during(
            RequestContext.newBuilder()
                .setMethod("GET")
                .setRoute("/owners/{ownerId}")
                .setPath("/owners/7")
                .setClientAddress("10.0.0.5")
                .build()));
  }

  @Test
  @SuppressWarnings("unchecked")
  void ocsfCarriesTheHttpRequestTheSourceAndTheTraceAsCorrelation() {
    Map<String, Object> doc = Json.object(OcsfJson.of(alert(true)));
    assertEquals(
        "4bf92f3577b34da6a3ce929d0e0e4736",
        ((Map<String, Object>) doc.get("metadata")).get("correlation_uid"));
    Map<String, Object> evidence = ((List<Map<String, Object>>) doc.get("evidences")).get(0);
    Map<String, Object> http = (Map<String, Object>) evidence.get("http_request");
    assertEquals("POST", http.get("http_method"));
    assertEquals(List.of("203.0.113.7"), http.get("x_forwarded_for"));
    assertEquals("/import", ((Map<String, Object>) http.get("url")).get("path"));
    assertEquals("127.0.0.1", ((Map<String, Object>) evidence.get("src_endpoint")).get("ip"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void anAlertOutsideARequestHasNone() {
    Alert a = alert(false);
    assertFalse(a.hasRequest());
    assertFalse(a.getDescription().contains("during"), a.getDescription());
    Map<String, Object> doc = Json.object(OcsfJson.of(a));
    assertFalse(((Map<String, Object>) doc.get("metadata")).containsKey("correlation_uid"));
    Map<String, Object> evidence = ((List<Map<String, Object>>) doc.get("evidences")).get(0);
    assertFalse(evidence.containsKey("http_request"));
    assertFalse(AlertText.block(a).contains("request "), AlertText.block(a));
  }
}

package dev.tripline.collector.output;

import dev.tripline.collector.json.Json;
import dev.tripline.model.Alert;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PagerDuty Events API v2. The dedup key is the alert's id: Tripline republishes a folded alert
 * (count crossing 10, 100…, a reopen) under the same id, so PagerDuty updates the one incident
 * instead of paging again; an analyst's acknowledge or accept resolves it (a reopened alert then
 * triggers a new incident: new evidence deserves a new page).
 */
final class PagerDutySender implements Sender {
  static final String DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue";

  private final HttpPost http;
  private final String routingKey;
  private final String consoleUrl;

  PagerDutySender(HttpPost http, String routingKey, String consoleUrl) {
    this.http = http;
    this.routingKey = routingKey;
    this.consoleUrl = consoleUrl;
  }

  @Override
  public boolean resolves() {
    return true;
  }

  @Override
  public Delivery send(Notice n) {
    Alert a = n.alert();
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("routing_key", routingKey);
    event.put("dedup_key", HttpPost.clip(a.getId(), 255));
    if (n.kind() == Notice.Kind.RESOLVE) {
      event.put("event_action", "resolve");
    } else {
      event.put("event_action", "trigger");
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("summary", HttpPost.clip(AlertText.headline(n), 1024));
      payload.put("source", HttpPost.clip(a.getService(), 255));
      payload.put("severity", severity(a));
      payload.put("timestamp", Instant.ofEpochMilli(a.getTimeMs()).toString());
      payload.put("component", HttpPost.clip(a.getEvent().getCallSite().getClassName(), 255));
      payload.put("group", HttpPost.clip(a.getService(), 255));
      payload.put("class", a.getReason().name());
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("call_site", HttpPost.clip(AlertText.callSite(a), 1024));
      details.put("count", a.getCount());
      details.put("rule", a.getRule());
      details.put("mitre", AlertText.mitre(a));
      details.put("profile", HttpPost.clip(a.getContext().getSummary(), 1024));
      details.put("disposition", a.getDisposition().name());
      payload.put("custom_details", details);
      event.put("payload", payload);
      String link = AlertText.link(consoleUrl);
      if (!link.isEmpty()) {
        event.put("links", List.of(Map.of("href", link, "text", "Tripline console")));
      }
    }
    return http.post(
        "application/json", Json.write(event).getBytes(StandardCharsets.UTF_8), Map.of());
  }

  static String severity(Alert a) {
    return switch (a.getSeverity()) {
      case CRITICAL -> "critical";
      case HIGH -> "error";
      case MEDIUM -> "warning";
      case LOW, INFO, SEVERITY_UNSPECIFIED, UNRECOGNIZED -> "info";
    };
  }
}

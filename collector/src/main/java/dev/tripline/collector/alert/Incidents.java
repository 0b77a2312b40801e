package dev.tripline.collector.alert;

import dev.tripline.model.Alert;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Alerts of one instance that share a trace id are one incident (docs/detection.md "Request
 * context"): a JNDI lookup, the connection it made and the shell it spawned, in one request, are
 * one story, not three rows. The key is the first instance that showed the alert and the W3C trace
 * id of the request its triggering event happened in; an alert without a trace id is no incident.
 */
public final class Incidents {
  private Incidents() {}

  /** The incident an alert belongs to ({@code instance/traceId}), or null when it has no trace. */
  public static @Nullable String key(Alert a) {
    if (!a.hasRequest() || a.getRequest().getTraceId().isEmpty()) {
      return null;
    }
    return a.getAgent().getInstanceId() + "/" + a.getRequest().getTraceId();
  }

  /** One incident: its key, trace id, instance and alerts, oldest first. */
  public record Incident(String key, String traceId, String instance, List<Alert> alerts) {}

  /**
   * The incidents among {@code alerts} that hold more than one alert, the most recent first (by
   * their latest alert); an alert alone in its trace stays an alert.
   */
  public static List<Incident> of(List<Alert> alerts) {
    Map<String, List<Alert>> byKey = new LinkedHashMap<>();
    for (Alert a : alerts) {
      String k = key(a);
      if (k != null) {
        byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(a);
      }
    }
    List<Incident> out = new ArrayList<>();
    byKey.forEach(
        (k, members) -> {
          if (members.size() > 1) {
            members.sort(Comparator.comparingLong(Alert::getTimeMs).thenComparing(Alert::getId));
            Alert first = members.get(0);
            out.add(
                new Incident(
                    k,
                    first.getRequest().getTraceId(),
                    first.getAgent().getInstanceId(),
                    List.copyOf(members)));
          }
        });
    out.sort(
        Comparator.comparingLong((Incident i) -> last(i).getTimeMs())
            .reversed()
            .thenComparing(Incident::key));
    return out;
  }

  private static Alert last(Incident i) {
    return i.alerts().get(i.alerts().size() - 1);
  }
}

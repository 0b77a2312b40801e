package dev.tripline.collector.detect;

import dev.tripline.collector.alert.Alerts;
import dev.tripline.collector.normalize.Normalizer;
import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.Event;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.Schema;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * New behaviour of one batch that went past its profile's bounds, per kind family, turned into one
 * PROFILE_OVERFLOW finding per service and kind: a service whose behaviour explodes is news (a
 * scan, a flood meant to blind the profile, or a service that needs a looser normalisation). The
 * alert's id depends only on service and kind, so later overflows fold into its count.
 */
public final class ProfileOverflow {
  private record Seen(Event first, long count) {}

  private final Map<String, Seen> byFamily = new LinkedHashMap<>();
  private final Detection.Meter meters;

  public ProfileOverflow(Detection.Meter meters) {
    this.meters = meters;
  }

  /** A new behaviour that did not fit: generalised ({@code GENERALIZED}), or not stored at all. */
  public void add(String key, Event e, Profiles.Learned outcome) {
    String family = Normalizer.familyOf(key);
    if (outcome == Profiles.Learned.GENERALIZED) {
      meters.generalized(family);
    }
    byFamily.merge(
        family,
        new Seen(e, Math.max(1, e.getCount())),
        (a, b) -> new Seen(a.first(), a.count() + b.count()));
  }

  public List<Alert> report(Profiles profile, AgentIdentity agent, int maxPerKind, long now) {
    List<Alert> out = new ArrayList<>();
    if (byFamily.isEmpty()) {
      return out;
    }
    ServiceProfile p = profile.builder().build();
    byFamily.forEach(
        (family, seen) -> {
          meters.overflow(family, seen.count());
          List<String> generalized =
              p.getEntriesList().stream()
                  .filter(
                      en ->
                          en.getGeneralized() && Normalizer.kindFamily(en.getKind()).equals(family))
                  .map(ProfileEntry::getTarget)
                  .limit(5)
                  .toList();
          String title =
              "Profile overflow: "
                  + p.getService()
                  + " shows more distinct "
                  + family
                  + " behaviours than its profile holds ("
                  + maxPerKind
                  + ")";
          String description =
              title
                  + ". While "
                  + p.getState()
                  + ", new targets of this kind are "
                  + (generalized.isEmpty()
                      ? "counted but not stored"
                      : "generalised ("
                          + String.join(", ", generalized)
                          + ") and, past that, counted but not stored")
                  + "; until an analyst looks, new behaviour of this kind is judged against generalised entries only. "
                  + "A scan, a flood meant to blind the profile, or a service that needs coarser normalisation.";
          out.add(
              Alert.newBuilder()
                  .setSchemaVersion(Schema.VERSION)
                  .setId(
                      Alerts.id(
                          p.getService(),
                          AlertReason.PROFILE_OVERFLOW,
                          "overflow|" + family,
                          Event.getDefaultInstance()))
                  .setTimeMs(now)
                  .setLastSeenMs(now)
                  .setService(p.getService())
                  .addInstances(agent.getInstanceId())
                  .setReason(AlertReason.PROFILE_OVERFLOW)
                  .setSeverity(Severity.MEDIUM)
                  .setTitle(title)
                  .setDescription(description)
                  .setEvent(seen.first())
                  .setAgent(agent)
                  .setNormalizedTarget(
                      generalized.isEmpty() ? family + " beyond " + maxPerKind : generalized.get(0))
                  .setRule("profile-overflow")
                  .setCount(seen.count())
                  .setContext(Alerts.context(p, seen.first().getKind(), now))
                  .setState(AlertState.OPEN)
                  .build());
        });
    return out;
  }
}

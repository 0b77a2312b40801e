package dev.tripline.collector.detect;

import dev.tripline.collector.alert.Alerts;
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
import dev.tripline.model.judge.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * New behaviour of one batch that went past its profile's bounds, per kind family, turned into one
 * PROFILE_OVERFLOW finding per service and kind: a service whose behaviour explodes is news (a
 * scan, a flood meant to blind the profile, or a service that needs a looser normalisation). The
 * alert's id depends only on service and kind, so later overflows fold into its count. It says what
 * it swallowed: the count, and the most suspicious targets ({@link Suspicion}) as samples, the
 * worst of them as its event; a sensitive target never reaches it without its own alert first
 * ({@link Detection}).
 */
public final class ProfileOverflow {
  /** Per family: how many were swallowed, and the most suspicious of them (at most MAX_SAMPLES). */
  private static final class Seen {
    Event worst = Event.getDefaultInstance(); // replaced by the first add
    int worstScore = -1;
    long count;
    final List<Sample> samples = new ArrayList<>();
  }

  private record Sample(String target, int score) {}

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
    Seen seen = byFamily.computeIfAbsent(family, f -> new Seen());
    seen.count += Math.max(1, e.getCount());
    String target = Normalizer.targetOf(key);
    int score = Suspicion.score(e.getKind(), target);
    if (score > seen.worstScore) {
      // the alert shows the most suspicious event it swallowed, not the first (a photo)
      seen.worst = e;
      seen.worstScore = score;
    }
    keep(seen.samples, new Sample(target, score));
  }

  /** Keeps the most suspicious distinct samples, first seen first among equals. */
  private static void keep(List<Sample> samples, Sample s) {
    for (Sample k : samples) {
      if (k.target().equals(s.target())) return;
    }
    int at = 0;
    while (at < samples.size() && samples.get(at).score() >= s.score()) at++;
    if (at < AlertFolding.MAX_SAMPLES) {
      samples.add(at, s);
      if (samples.size() > AlertFolding.MAX_SAMPLES) samples.remove(samples.size() - 1);
    }
  }

  public List<Alert> report(Profiles profile, AgentIdentity agent, int maxPerKind, long now) {
    List<Alert> out = new ArrayList<>();
    if (byFamily.isEmpty()) {
      return out;
    }
    ServiceProfile p = profile.builder().build();
    byFamily.forEach(
        (family, seen) -> {
          meters.overflow(family, seen.count);
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
                  + "A scan, a flood meant to blind the profile, or a service that needs coarser normalisation. "
                  + "Swallowed by this batch: "
                  + seen.count
                  + "; the most suspicious: "
                  + String.join(", ", seen.samples.stream().map(Sample::target).toList())
                  + ".";
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
                  .setEvent(seen.worst)
                  .setAgent(agent)
                  .setNormalizedTarget(
                      generalized.isEmpty() ? family + " beyond " + maxPerKind : generalized.get(0))
                  .setRule("profile-overflow")
                  .setCount(seen.count)
                  .addAllSamples(seen.samples.stream().map(Sample::target).toList())
                  .setContext(Alerts.context(p, seen.worst.getKind(), now))
                  .setState(AlertState.OPEN)
                  .build());
        });
    return out;
  }
}

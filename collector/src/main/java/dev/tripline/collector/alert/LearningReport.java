package dev.tripline.collector.alert;

import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.InstanceSeen;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.Schema;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.Severity;
import dev.tripline.model.judge.Normalizer;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What a profile learned in the last stretch of LEARNING, as one LEARNING_ENDED alert an analyst
 * reviews: learning trusts everything it sees, so what came late — what kept a service learning, or
 * arrived just before the end — is the likeliest place for an attack to hide. The stretch starts a
 * quiet period before the earliest end ({@code learning_until_ms}). Listed by kind, rarest kind
 * first (one connect amid a churn of new files comes first), then least seen.
 */
public final class LearningReport {
  /** Entries named in the alert; the count says how many more there were. */
  public static final int TOP = 10;

  private LearningReport() {}

  /**
   * The report for a profile whose learning ends now, or null when nothing was learned in the
   * stretch and learning ended by itself. {@code forced}: ended by {@code learning.max} while new
   * behaviour still came (MEDIUM: an analyst should look); else INFO.
   */
  public static @Nullable Alert of(
      ServiceProfile p, boolean forced, Duration quiet, Duration max, long now) {
    long from = Math.min(now, p.getLearningUntilMs()) - quiet.toMillis();
    List<ProfileEntry> late =
        p.getEntriesList().stream()
            .filter(en -> Profiles.LEARNED.equals(en.getOrigin()) && en.getFirstSeenMs() >= from)
            .collect(Collectors.toList());
    if (late.isEmpty() && !forced) return null;
    Map<String, Long> perFamily =
        late.stream()
            .collect(
                Collectors.groupingBy(
                    en -> Normalizer.kindFamily(en.getKind()), Collectors.counting()));
    List<ProfileEntry> top =
        late.stream()
            .sorted(
                Comparator.<ProfileEntry>comparingLong(
                        en -> perFamily.get(Normalizer.kindFamily(en.getKind())))
                    .thenComparingLong(ProfileEntry::getCount)
                    .thenComparing(ProfileEntry::getFirstSeenMs, Comparator.reverseOrder()))
            .limit(TOP)
            .collect(Collectors.toList());
    String stretch = human(Duration.ofMillis(Math.max(0, now - from)));
    String title =
        "Learning ended for "
            + p.getService()
            + (forced ? " at learning.max (" + human(max) + ") while new behaviour still came" : "")
            + ": "
            + late.size()
            + " behaviour"
            + (late.size() == 1 ? "" : "s")
            + " learned in the last "
            + stretch
            + (late.isEmpty() ? "" : ", review them");
    StringBuilder d =
        new StringBuilder(title)
            .append(". Learning takes what it sees as normal; what came late is where an attack")
            .append(" during learning would hide. By kind: ")
            .append(
                new HashMap<>(perFamily)
                    .entrySet().stream()
                        .sorted(Map.Entry.comparingByValue())
                        .map(en -> en.getValue() + " " + en.getKey())
                        .collect(Collectors.joining(", ")))
            .append(late.isEmpty() ? "none" : "")
            .append(". Listed (rarest kind first")
            .append(late.size() > top.size() ? ", " + top.size() + " of " + late.size() : "")
            .append("):");
    for (ProfileEntry en : top) {
      d.append("\n  ")
          .append(en.getKind().name().toLowerCase(Locale.ROOT))
          .append(' ')
          .append(en.getTarget())
          .append(en.getCallSite().isEmpty() ? "" : " by " + en.getCallSite())
          .append(" (seen ")
          .append(en.getCount())
          .append("×)");
    }
    AgentIdentity agent =
        p.getInstancesMap().values().stream()
            .map(InstanceSeen::getAgent)
            .findFirst()
            .orElse(AgentIdentity.newBuilder().setService(p.getService()).build());
    EventKind kind = top.isEmpty() ? EventKind.NET_CONNECT : top.get(0).getKind();
    return Alert.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setId(
            Alerts.id(
                p.getService(),
                AlertReason.LEARNING_ENDED,
                "learning|" + p.getStateChangedMs(),
                Event.getDefaultInstance()))
        .setTimeMs(now)
        .setLastSeenMs(now)
        .setService(p.getService())
        .addAllInstances(p.getInstancesMap().keySet())
        .setReason(AlertReason.LEARNING_ENDED)
        .setSeverity(forced ? Severity.MEDIUM : Severity.INFO)
        .setTitle(title)
        .setDescription(d.toString())
        .setAgent(agent)
        .setNormalizedTarget(top.isEmpty() ? "" : top.get(0).getTarget())
        .setRule(forced ? "learning-max" : "learning-ended")
        .setCount(Math.max(1, late.size()))
        .setContext(Alerts.context(p, kind, now))
        .setState(AlertState.OPEN)
        .build();
  }

  /**
   * What a new version's start-up learned under its grace (one alert per service and version;
   * repeats fold), INFO: a deploy's novelties reviewed once instead of one NEW_* alert each.
   */
  public static Alert versionGrace(
      ServiceProfile p, AgentIdentity agent, List<Event> learned, long now) {
    String version = dev.tripline.collector.detect.VersionGrace.version(agent);
    String title =
        "New version "
            + version
            + " of "
            + p.getService()
            + ": "
            + learned.size()
            + " start-up behaviour"
            + (learned.size() == 1 ? "" : "s")
            + " learned under the version grace, review them";
    StringBuilder d =
        new StringBuilder(title)
            .append(
                ". An instance of a version new to the service learns what it does in its first"
                    + " moments (learning.version.grace) instead of alerting; known-bad rules"
                    + " still fire. Learned:");
    learned.stream()
        .limit(TOP)
        .forEach(
            e ->
                d.append("\n  ")
                    .append(e.getKind().name().toLowerCase(Locale.ROOT))
                    .append(' ')
                    .append(Normalizer.target(e))
                    .append(
                        e.getCallSite().getClassName().isEmpty()
                            ? ""
                            : " by "
                                + e.getCallSite().getClassName()
                                + "."
                                + e.getCallSite().getMethodName()));
    if (learned.size() > TOP) d.append("\n  (+").append(learned.size() - TOP).append(" more)");
    return Alert.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setId(
            Alerts.id(
                p.getService(),
                AlertReason.LEARNING_ENDED,
                "version|" + version,
                Event.getDefaultInstance()))
        .setTimeMs(now)
        .setLastSeenMs(now)
        .setService(p.getService())
        .addInstances(agent.getInstanceId())
        .setReason(AlertReason.LEARNING_ENDED)
        .setSeverity(Severity.INFO)
        .setTitle(title)
        .setDescription(d.toString())
        .setEvent(learned.get(0))
        .setAgent(agent)
        .setNormalizedTarget(Normalizer.target(learned.get(0)))
        .setRule("version-grace")
        .setCount(learned.size())
        .setContext(Alerts.context(p, learned.get(0).getKind(), now))
        .setState(AlertState.OPEN)
        .build();
  }

  private static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}

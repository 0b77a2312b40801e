package dev.tripline.collector.pipeline;

import dev.tripline.collector.alert.OcsfJson;
import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.Alert;
import dev.tripline.model.Event;
import dev.tripline.model.ProfileContext;
import dev.tripline.model.ServiceProfile;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Sizes every record before it is written, so that none exceeds what its topic accepts: a record
 * Kafka refuses breaks the exactly-once transaction and, with it, the stream thread. An alert that
 * would be too large — in protobuf or as OCSF JSON, where escaping can multiply a string's size —
 * is cut down (event details, then context, history and instances) and counted; a profile beyond
 * its budget loses instances, old rate windows and finally its least-used learned entries, and is
 * counted.
 */
final class RecordLimits {
  static final int MAX_ALERT_INSTANCES = 100;
  static final int MAX_ALERT_HISTORY = 50;

  private final int maxRecordBytes;
  private final int maxProfileBytes;
  private final int maxInstances;
  private final Meters meters;

  RecordLimits(int maxRecordBytes, int maxProfileBytes, int maxInstances, Meters meters) {
    this.maxRecordBytes = maxRecordBytes;
    this.maxProfileBytes = Math.min(maxProfileBytes, maxRecordBytes - 4096);
    this.maxInstances = maxInstances;
    this.meters = meters;
  }

  int maxProfileBytes() {
    return maxProfileBytes;
  }

  /**
   * The alert, cut down if it could not be written. JSON escaping makes a string at most six times
   * longer, so a protobuf within an eighth of the limit is always safe as JSON too; larger ones are
   * checked by rendering.
   */
  Alert fit(Alert a) {
    if (a.getSerializedSize() <= maxRecordBytes / 8
        && a.getInstancesCount() <= MAX_ALERT_INSTANCES
        && a.getHistoryCount() <= MAX_ALERT_HISTORY) {
      return a;
    }
    Alert.Builder b = a.toBuilder();
    if (a.getInstancesCount() > MAX_ALERT_INSTANCES) {
      b.clearInstances()
          .addAllInstances(
              a.getInstancesList()
                  .subList(a.getInstancesCount() - MAX_ALERT_INSTANCES, a.getInstancesCount()));
    }
    if (a.getHistoryCount() > MAX_ALERT_HISTORY) {
      b.clearHistory()
          .addAllHistory(
              a.getHistoryList()
                  .subList(a.getHistoryCount() - MAX_ALERT_HISTORY, a.getHistoryCount()));
    }
    if (fits(b.build())) {
      return b.build();
    }
    meters.recordCut("alert");
    // Details first: the event's extra lists, the known targets.
    Event.Builder e = b.getEvent().toBuilder().clearContexts();
    if (e.hasProcess() && e.getProcess().getArgvCount() > 16) {
      // 12 first, a marker, 3 last (the payload): a cut is always visible, as in the agent.
      List<String> argv = e.getProcess().getArgvList();
      e.setProcess(
          e.getProcess().toBuilder()
              .clearArgv()
              .addAllArgv(argv.subList(0, 12))
              .addArgv("…[+" + (argv.size() - 15) + " args]…")
              .addAllArgv(argv.subList(argv.size() - 3, argv.size())));
    }
    e.setCallSite(e.getCallSite().toBuilder().clearFrames());
    b.setEvent(e)
        .setContext(
            b.getContext().toBuilder()
                .clearKnownTargets()
                .setSummary(cut(b.getContext().getSummary(), 1024)))
        .setDescription(cut(b.getDescription(), 2048))
        .setTitle(cut(b.getTitle(), 512));
    if (fits(b.build())) {
      return b.build();
    }
    // Then everything but what identifies it: the analyst still sees what, where and how often.
    b.setEvent(
            Event.newBuilder()
                .setKind(a.getEvent().getKind())
                .setCount(a.getEvent().getCount())
                .setCallSite(a.getEvent().getCallSite().toBuilder().clearFrames()))
        .setContext(
            ProfileContext.newBuilder()
                .setState(a.getContext().getState())
                .setKnownCount(a.getContext().getKnownCount()))
        .clearHistory()
        .setNormalizedTarget(cut(a.getNormalizedTarget(), 1024))
        .setDescription(cut(b.getDescription(), 512))
        .setAgent(a.getAgent().toBuilder().clearLabels());
    return b.build();
  }

  private boolean fits(Alert a) {
    return a.getSerializedSize() <= maxRecordBytes / 8
        || (a.getSerializedSize() < maxRecordBytes
            && OcsfJson.of(a).getBytes(StandardCharsets.UTF_8).length < maxRecordBytes);
  }

  /** The profile, within its budget (and never beyond a record). */
  ServiceProfile fit(Profiles profile) {
    profile.trimInstances(maxInstances);
    ServiceProfile p = profile.build();
    if (p.getSerializedSize() <= maxProfileBytes) {
      return p;
    }
    meters.recordCut("profile");
    ServiceProfile.Builder b = p.toBuilder();
    while (b.getRateHistoryCount() > 60) {
      b.removeRateHistory(0);
    }
    for (int instances = b.getInstancesCount() / 2;
        b.build().getSerializedSize() > maxProfileBytes && b.getInstancesCount() > 1;
        instances /= 2) {
      Profiles trimmed = Profiles.of(b.build());
      trimmed.trimInstances(Math.max(1, instances));
      b = trimmed.builder();
    }
    // Last resort: the least-seen learned entries go (they may alert again later, which is
    // visible).
    while (b.build().getSerializedSize() > maxProfileBytes && b.getEntriesCount() > 0) {
      int drop = Math.max(1, b.getEntriesCount() / 10);
      var kept =
          b.getEntriesList().stream()
              .sorted(
                  (x, y) ->
                      Boolean.compare(
                                  Profiles.LEARNED.equals(x.getOrigin()),
                                  Profiles.LEARNED.equals(y.getOrigin()))
                              != 0
                          ? Boolean.compare(
                              Profiles.LEARNED.equals(x.getOrigin()),
                              Profiles.LEARNED.equals(y.getOrigin()))
                          : Long.compare(y.getCount(), x.getCount()))
              .limit(b.getEntriesCount() - drop)
              .toList();
      b.clearEntries().addAllEntries(kept);
    }
    return b.build();
  }

  static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }
}

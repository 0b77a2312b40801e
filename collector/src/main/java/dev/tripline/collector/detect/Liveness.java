package dev.tripline.collector.detect;

import dev.tripline.collector.alert.Alerts;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.InstanceSeen;
import dev.tripline.model.Schema;
import dev.tripline.model.ServiceProfileOrBuilder;
import dev.tripline.model.Severity;
import dev.tripline.model.judge.Mitre;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether each instance's agent is intact and alive, from its heartbeats (see docs/detection.md,
 * "Tamper and silence"):
 *
 * <ul>
 *   <li>AGENT_TAMPERED when a heartbeat reports a new tamper finding or a failed canary;
 *   <li>AGENT_SILENT when an instance sent nothing for {@code silentAfter} without having said
 *       goodbye (a clean JVM exit sends a last heartbeat flagged goodbye); HIGH when other
 *       instances of its service still report (the service lives, this instance went dark), MEDIUM
 *       when the whole service is quiet (a crash looks the same);
 *   <li>AGENT_SILENT ("events frozen") when {@value #FROZEN_HEARTBEATS} heartbeats in a row show
 *       {@code events_seen} unchanged although the agent reports its canary arrived: every canary
 *       is itself counted as seen, so an idle application still moves the count by one per
 *       heartbeat, and a frozen count means the counters are not what the agent's hooks see.
 * </ul>
 *
 * The state kept here (consecutive frozen heartbeats, the last events per instance, which silences
 * were raised) lives in memory and is bounded; the rules themselves read the profile's instances
 * (last time seen, last health), which are changelogged, so a silence that started while the
 * collector was down is still found. Not thread-safe: one per stream task, like {@link Detection}.
 */
public final class Liveness {
  static final int FROZEN_HEARTBEATS = 3;
  static final int LAST_EVENTS = 5;
  static final int MAX_INSTANCES = 10_000;

  /** Instances silent longer than this many {@code silentAfter} are gone, not silent. */
  static final int FORGET_AFTER = 30;

  private final long silentAfterMs;
  private final Map<String, Tracked> tracked =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Tracked> eldest) {
          return size() > MAX_INSTANCES;
        }
      };

  /** Instance -> the last-seen time whose silence was raised (one alert per silence). */
  private final Map<String, Long> silenceRaised = new HashMap<>();

  public Liveness(long silentAfterMs) {
    this.silentAfterMs = silentAfterMs;
  }

  /**
   * Per instance: the last events and how many heartbeats in a row left events_seen unchanged. The
   * events are kept as they arrived (already parsed, their strings already capped at the edge) and
   * described only when an alert quotes them: describing them per batch cost several per cent of
   * the collector's throughput (CollectorBench, JFR), for alerts that are rare.
   */
  private static final class Tracked {
    final ArrayDeque<Event> lastEvents = new ArrayDeque<>();
    int frozen;
  }

  /**
   * A batch arrived; {@code before} is what the profile knew of its instance until now. Returns the
   * alerts it raises.
   */
  public List<Alert> batch(
      ServiceProfileOrBuilder profile, InstanceSeen before, EventBatch batch, long now) {
    AgentIdentity agent = batch.getAgent();
    String id = agent.getInstanceId();
    String instance = agent.getService() + "\n" + id;
    Tracked t = tracked.computeIfAbsent(instance, k -> new Tracked());
    // Only the batch's last few can be among the last events: describing every event of every batch
    // cost the collector a tenth of its throughput (CollectorBench, JFR).
    List<Event> events = batch.getEventsList();
    for (Event e : events.subList(Math.max(0, events.size() - LAST_EVENTS), events.size())) {
      if (t.lastEvents.size() == LAST_EVENTS) {
        t.lastEvents.removeFirst();
      }
      t.lastEvents.addLast(e);
    }
    silenceRaised.remove(instance);
    if (!batch.hasHealth()) {
      return List.of();
    }
    AgentHealth h = batch.getHealth();
    AgentHealth old = before.getLastHealth();
    List<Alert> out = new ArrayList<>();
    boolean newTamper = h.getTamperCount() > old.getTamperCount();
    boolean canaryFailed = h.getCanaryFailed() > old.getCanaryFailed();
    if (newTamper || canaryFailed) {
      out.add(tampered(profile, agent, h, now));
    }
    boolean canaries = h.getCanaryOk() + h.getCanaryFailed() > 0;
    if (!h.getGoodbye() && canaries && before.hasLastHealth() && !canaryFailed) {
      t.frozen = h.getEventsSeen() == old.getEventsSeen() ? t.frozen + 1 : 0;
      if (t.frozen == FROZEN_HEARTBEATS) {
        out.add(frozen(profile, agent, h, t, now));
      }
    }
    return out;
  }

  /** Periodically: instances of this service that went silent without a goodbye. */
  public List<Alert> tick(ServiceProfileOrBuilder profile, long now) {
    List<Alert> out = new ArrayList<>();
    long freshest = 0;
    for (InstanceSeen i : profile.getInstancesMap().values()) {
      freshest = Math.max(freshest, i.getLastSeenMs());
    }
    for (InstanceSeen i : profile.getInstancesMap().values()) {
      long quiet = now - i.getLastSeenMs();
      if (i.getLastHealth().getGoodbye()
          || quiet < silentAfterMs
          || quiet > silentAfterMs * FORGET_AFTER) {
        continue;
      }
      String key = profile.getService() + "\n" + i.getAgent().getInstanceId();
      Long raised = silenceRaised.get(key);
      if ((raised == null || raised != i.getLastSeenMs()) && silenceRaised.size() < MAX_INSTANCES) {
        silenceRaised.put(key, i.getLastSeenMs());
        boolean serviceAlive = now - freshest < silentAfterMs;
        out.add(silent(profile, i, serviceAlive, now));
      }
    }
    return out;
  }

  private Alert tampered(
      ServiceProfileOrBuilder profile, AgentIdentity agent, AgentHealth h, long now) {
    String title = "Agent tampering reported by instance " + agent.getInstanceId();
    StringBuilder d =
        new StringBuilder(title)
            .append(" of ")
            .append(agent.getService())
            .append(" on ")
            .append(agent.getHost())
            .append(": ")
            .append(h.getTamperCount())
            .append(" finding(s), ")
            .append(h.getCanaryFailed())
            .append(" failed canary(ies) since start. ");
    if (h.getTamperFindingsCount() > 0) {
      d.append("Latest: ").append(String.join("; ", h.getTamperFindingsList())).append(". ");
    }
    d.append(
        "Code inside the JVM tried to blind the agent; what it did next may be unseen by this"
            + " instance's agent.");
    return base(profile, agent, AlertReason.AGENT_TAMPERED, "tampered", now)
        .setSeverity(h.getCanaryFailed() > 0 ? Severity.CRITICAL : Severity.HIGH)
        .setTitle(title)
        .setDescription(d.toString())
        .build();
  }

  private Alert frozen(
      ServiceProfileOrBuilder profile, AgentIdentity agent, AgentHealth h, Tracked t, long now) {
    String title = "Agent of instance " + agent.getInstanceId() + " stopped seeing anything";
    return base(profile, agent, AlertReason.AGENT_SILENT, "frozen", now)
        .setSeverity(Severity.HIGH)
        .setTitle(title)
        .setDescription(
            title
                + ": events seen stayed at "
                + h.getEventsSeen()
                + " over "
                + FROZEN_HEARTBEATS
                + " heartbeats although its canary, itself counted as seen, reports arriving. The"
                + " agent's counters or its recorder were changed. Last events: "
                + lastEvents(t)
                + ".")
        .build();
  }

  private Alert silent(
      ServiceProfileOrBuilder profile, InstanceSeen i, boolean serviceAlive, long now) {
    AgentIdentity agent = i.getAgent();
    String title =
        "Instance " + agent.getInstanceId() + " of " + agent.getService() + " went silent";
    Tracked t = tracked.get(agent.getService() + "\n" + agent.getInstanceId());
    String description =
        title
            + ": last sign of life "
            + Instant.ofEpochMilli(i.getLastSeenMs())
            + " ("
            + (now - i.getLastSeenMs()) / 1000
            + " s ago, events seen "
            + i.getLastHealth().getEventsSeen()
            + "), and it never said goodbye (a clean exit does). "
            + (serviceAlive
                ? "Other instances of the service still report: this agent was stopped or its"
                    + " JVM hangs. "
                : "No instance of the service reports: a crash or a network partition looks the"
                    + " same. ")
            + "Last events before the silence: "
            + (t == null ? "not known (the collector restarted since)" : lastEvents(t))
            + ".";
    return base(profile, agent, AlertReason.AGENT_SILENT, "silent|" + i.getLastSeenMs(), now)
        .setSeverity(serviceAlive ? Severity.HIGH : Severity.MEDIUM)
        .setTitle(title)
        .setDescription(description)
        .build();
  }

  private static String lastEvents(Tracked t) {
    if (t.lastEvents.isEmpty()) {
      return "none";
    }
    StringBuilder b = new StringBuilder();
    for (Event e : t.lastEvents) {
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(e.getKind()).append(' ').append(Alerts.describe(e));
    }
    return b.toString();
  }

  private static Alert.Builder base(
      ServiceProfileOrBuilder profile,
      AgentIdentity agent,
      AlertReason reason,
      String what,
      long now) {
    String target = "agent|" + agent.getInstanceId() + "|" + what;
    return Alert.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setId(Alerts.id(profile.getService(), reason, target, Event.getDefaultInstance()))
        .setTimeMs(now)
        .setLastSeenMs(now)
        .setService(profile.getService())
        .addInstances(agent.getInstanceId())
        .setReason(reason)
        .setAgent(agent)
        .setNormalizedTarget(target)
        .setRule("agent:" + (what.startsWith("silent") ? "silent" : what))
        .setMitre(Mitre.IMPAIR_DEFENSES)
        .setCount(1)
        .setState(AlertState.OPEN);
  }
}

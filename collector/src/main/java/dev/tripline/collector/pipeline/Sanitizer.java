package dev.tripline.collector.pipeline;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.UnknownFieldSet;
import dev.tripline.config.redact.Redactor;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.CodeContext;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProcessTarget;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Values checked at the edge, so that detection only ever sees sane ones: counts, times, sizes,
 * ports outside their bounds are clamped and counted ({@code
 * tripline_values_clamped_total{field}}); an event kind this collector does not know (a newer
 * agent's) is kept as {@code EVENT_KIND_UNSPECIFIED} and unknown fields are dropped, both counted
 * ({@code tripline_events_unknown_total{what}}), so one such event never costs the rest of its
 * batch.
 *
 * <p>Secrets: a process event's argv is redacted again with the agent's own rules ({@link
 * Redactor}), so an old or forged agent's unredacted command line never reaches a profile, an alert
 * or the OCSF topic; what this masks is counted ({@code
 * tripline_values_clamped_total{field=secret}}: a current agent never leaves anything to mask,
 * redacting twice changes nothing).
 *
 * <p>A batch with nothing to repair is returned as it is (no copy).
 */
final class Sanitizer {
  /** Occurrences one event record may fold (the agent folds repeats within a flush window). */
  static final long MAX_COUNT = 1_000_000_000L;

  /** Bytes one event may report: 1 TiB. */
  static final long MAX_BYTES = 1L << 40;

  /**
   * Event and batch times older than this are not believed (late delivery after an outage is fine).
   */
  static final long MAX_AGE_MS = 30L * 24 * 3600 * 1000;

  /** A JVM may have started long ago, but not before this. */
  static final long MAX_UPTIME_MS = 10L * 365 * 24 * 3600 * 1000;

  /** Clock skew tolerated between an agent's host and the collector. */
  static final long MAX_SKEW_MS = 10L * 60 * 1000;

  private final EdgeMeters meters;

  Sanitizer(EdgeMeters meters) {
    this.meters = meters;
  }

  /**
   * The batch with every value within bounds.
   *
   * @param now the collector's clock
   */
  // event() returns its argument itself when nothing changed: identity is the test
  @SuppressWarnings("ReferenceEquality")
  EventBatch sanitize(EventBatch batch, long now) {
    int unknownFields = unknownFields(batch);
    if (unknownFields > 0) {
      meters.unknown("field", unknownFields);
      batch = (EventBatch) withoutUnknownFields(batch);
    }
    EventBatch.Builder b = null;
    for (int i = 0; i < batch.getEventsCount(); i++) {
      Event e = batch.getEvents(i);
      Event fixed = event(e, now);
      if (fixed != e) {
        if (b == null) b = batch.toBuilder();
        b.setEvents(i, fixed);
      }
    }
    if (batch.getSequence() < 0) {
      b = b == null ? batch.toBuilder() : b;
      b.setSequence(0);
      meters.clamped("sequence");
    }
    if (batch.getSentTimeMs() != 0 && !saneTime(batch.getSentTimeMs(), now, MAX_AGE_MS)) {
      b = b == null ? batch.toBuilder() : b;
      b.setSentTimeMs(now);
      meters.clamped("time");
    }
    AgentIdentity agent = batch.getAgent();
    boolean badStart =
        agent.getStartTimeMs() != 0 && !saneTime(agent.getStartTimeMs(), now, MAX_UPTIME_MS);
    if (agent.getPid() < 0 || badStart) {
      b = b == null ? batch.toBuilder() : b;
      AgentIdentity.Builder a = b.getAgentBuilder();
      if (agent.getPid() < 0) {
        a.setPid(0);
        meters.clamped("pid");
      }
      if (badStart) {
        a.setStartTimeMs(0); // unknown
        meters.clamped("time");
      }
    }
    if (batch.hasHealth() && !saneHealth(batch.getHealth())) {
      b = b == null ? batch.toBuilder() : b;
      b.setHealth(health(batch.getHealth()));
    }
    return b == null ? batch : b.build();
  }

  /** The event, or a repaired copy when something was out of bounds. */
  Event event(Event e, long now) {
    boolean unknownKind = e.getKind() == EventKind.UNRECOGNIZED;
    long count = e.getCount();
    boolean badCount = count < 0 || count > MAX_COUNT;
    boolean badFirst = !saneTime(e.getFirstSeenMs(), now, MAX_AGE_MS);
    boolean badLast = !saneTime(e.getLastSeenMs(), now, MAX_AGE_MS);
    boolean unsetTimes = e.getFirstSeenMs() == 0 && e.getLastSeenMs() == 0;
    boolean badBytes = e.getBytes() < 0 || e.getBytes() > MAX_BYTES;
    boolean badNet =
        e.hasNetwork()
            && (badPort(e.getNetwork().getPort()) || badPort(e.getNetwork().getLocalPort()));
    boolean badPid = e.hasProcess() && e.getProcess().getChildPid() < 0;
    boolean badLine = e.hasCallSite() && e.getCallSite().getLineNumber() < -1;
    ProcessTarget redacted = e.hasProcess() ? redacted(e.getProcess()) : null;
    if (!(unknownKind
        || redacted != null
        || badCount
        || badFirst
        || badLast
        || badBytes
        || badNet
        || badPid
        || badLine
        || (e.getFirstSeenMs() > e.getLastSeenMs()))) {
      return e;
    }
    Event.Builder b = e.toBuilder();
    if (unknownKind) {
      b.setKind(EventKind.EVENT_KIND_UNSPECIFIED);
      meters.unknown("kind", 1);
    }
    if (badCount) {
      b.setCount(count < 0 ? 1 : MAX_COUNT);
      meters.clamped("count");
    }
    if (badFirst) {
      b.setFirstSeenMs(now);
      if (e.getFirstSeenMs() != 0) meters.clamped("time");
    }
    if (badLast) {
      b.setLastSeenMs(now);
      if (e.getLastSeenMs() != 0) meters.clamped("time");
    }
    if (b.getFirstSeenMs() > b.getLastSeenMs()) {
      b.setFirstSeenMs(b.getLastSeenMs());
      if (!unsetTimes) meters.clamped("time");
    }
    if (badBytes) {
      b.setBytes(e.getBytes() < 0 ? 0 : MAX_BYTES);
      meters.clamped("bytes");
    }
    if (badNet) {
      NetworkTarget.Builder n = b.getNetworkBuilder();
      if (badPort(n.getPort())) n.setPort(0);
      if (badPort(n.getLocalPort())) n.setLocalPort(0);
      meters.clamped("port");
    }
    if (badPid) {
      b.getProcessBuilder().setChildPid(0);
      meters.clamped("pid");
    }
    if (badLine) {
      b.getCallSiteBuilder().setLineNumber(-1);
      meters.clamped("line");
    }
    if (redacted != null) {
      b.setProcess(redacted);
      meters.clamped("secret");
    }
    return b.build();
  }

  /** The process target with secrets masked, or null when it holds none (the usual case). */
  static @Nullable ProcessTarget redacted(ProcessTarget p) {
    List<String> argv = Redactor.argv(p.getArgvList());
    String executable = Redactor.text(p.getExecutable());
    List<String> env = Redactor.environment(p.getEnvList());
    if (argv.equals(p.getArgvList())
        && executable.equals(p.getExecutable())
        && env.equals(p.getEnvList())) {
      return null;
    }
    return p.toBuilder()
        .clearArgv()
        .addAllArgv(argv)
        .setExecutable(executable)
        .clearEnv()
        .addAllEnv(env)
        .build();
  }

  /** Within [now - maxAge, now + skew]. Zero (unset) is not a time either. */
  static boolean saneTime(long t, long now, long maxAge) {
    return t >= now - maxAge && t <= now + MAX_SKEW_MS;
  }

  static boolean badPort(int port) {
    return port < 0 || port > 65_535;
  }

  private static boolean saneHealth(AgentHealth h) {
    if ((h.getEventsSeen()
            | h.getEventsSent()
            | h.getEventsDropped()
            | h.getErrors()
            | h.getQueueDepth()
            | h.getUptimeMs()
            | h.getBatchesSent()
            | h.getBatchesFailed()
            | h.getHeapBytes()
            | h.getStringsTruncated())
        < 0) {
      return false;
    }
    for (long v : h.getDroppedByReasonMap().values()) {
      if (v < 0) return false;
    }
    return true;
  }

  /** Negative counters (an agent never sends them) become 0. */
  private AgentHealth health(AgentHealth h) {
    meters.clamped("health");
    AgentHealth.Builder b =
        h.toBuilder()
            .setEventsSeen(Math.max(0, h.getEventsSeen()))
            .setEventsSent(Math.max(0, h.getEventsSent()))
            .setEventsDropped(Math.max(0, h.getEventsDropped()))
            .setErrors(Math.max(0, h.getErrors()))
            .setQueueDepth(Math.max(0, h.getQueueDepth()))
            .setUptimeMs(Math.max(0, h.getUptimeMs()))
            .setBatchesSent(Math.max(0, h.getBatchesSent()))
            .setBatchesFailed(Math.max(0, h.getBatchesFailed()))
            .setHeapBytes(Math.max(0, h.getHeapBytes()))
            .setStringsTruncated(Math.max(0, h.getStringsTruncated()));
    for (Map.Entry<String, Long> d : h.getDroppedByReasonMap().entrySet()) {
      b.putDroppedByReason(d.getKey(), Math.max(0, d.getValue()));
    }
    return b.build();
  }

  /** Messages in the batch that carry fields this build does not know (a newer agent's). */
  static int unknownFields(EventBatch batch) {
    int n = has(batch) + has(batch.getAgent()) + (batch.hasHealth() ? has(batch.getHealth()) : 0);
    for (Event e : batch.getEventsList()) {
      n += has(e) + has(e.getCallSite());
      n +=
          switch (e.getTargetCase()) {
            case NETWORK -> has(e.getNetwork());
            case DNS -> has(e.getDns());
            case FILE -> has(e.getFile());
            case PROCESS -> has(e.getProcess());
            case CODE -> has(e.getCode());
            case TARGET_NOT_SET -> 0;
          };
      for (CodeContext c : e.getContextsList()) {
        n += has(c);
      }
    }
    return n;
  }

  /** A copy without unknown fields at any depth (rare: only batches that have some come here). */
  static Message withoutUnknownFields(Message m) {
    Message.Builder b = m.toBuilder().setUnknownFields(UnknownFieldSet.getDefaultInstance());
    for (Map.Entry<FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
      FieldDescriptor d = f.getKey();
      if (d.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (d.isRepeated()) {
        int n = m.getRepeatedFieldCount(d);
        for (int i = 0; i < n; i++) {
          b.setRepeatedField(d, i, withoutUnknownFields((Message) m.getRepeatedField(d, i)));
        }
      } else {
        b.setField(d, withoutUnknownFields((Message) f.getValue()));
      }
    }
    return b.build();
  }

  @SuppressWarnings("ReferenceEquality") // a fast path only; the map check below decides
  private static int has(MessageOrBuilder m) {
    UnknownFieldSet u = m.getUnknownFields();
    return u == UnknownFieldSet.getDefaultInstance() || u.asMap().isEmpty()
        ? 0
        : 1; // identity first: the usual case, no map
  }
}

package dev.tripline.agent.health;

import dev.tripline.model.AgentHealth;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The agent's own counters. Cheap to bump from any thread (LongAdder, no locks), read by the
 * pipeline thread for heartbeats and by meters.
 */
public final class AgentStats {
  /** Reasons an event can be lost; used as keys of {@code dropped_by_reason}. */
  public static final String QUEUE_FULL = "queue_full";

  public static final String TRANSPORT = "transport";
  public static final String CACHE_FULL = "cache_full";

  /** Seen before the recorder was ready, beyond what the start-up buffer holds. */
  public static final String EARLY_FULL = "early_buffer_full";

  /** {@code sink=jsonl:<path>} and the file cannot be opened or written. */
  public static final String SINK_UNWRITABLE = "sink_unwritable";

  private final long startNanos = System.nanoTime();
  private final LongAdder seen = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder batchesSent = new LongAdder();
  private final LongAdder batchesFailed = new LongAdder();
  private final LongAdder deferred = new LongAdder();
  private final LongAdder stringsTruncated = new LongAdder();
  private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
  // Zero, not a lambda: built in premain, where spinning a lambda's class costs start-up time.
  private volatile LongSupplier queueDepth = Zero.ZERO;
  private volatile LongSupplier bridgeErrors = Zero.ZERO;
  private final LongAdder canaryOk = new LongAdder();
  private final LongAdder canaryFailed = new LongAdder();
  private final Tamper tamper = new Tamper();
  private final LongAdder requestFieldsCapped = new LongAdder();
  private final LongAdder requestForwardedCapped = new LongAdder();
  private final LongAdder requestTraceparentDropped = new LongAdder();
  private final LongAdder requestReports = new LongAdder();
  private final LongAdder requestReportsRefused = new LongAdder();

  /** A server hook reported a request's scope (entry, exit) or route: context, not an event. */
  public void requestReport() {
    requestReports.increment();
  }

  /**
   * A request's scope reported through the public bridge by code other than the hooked server
   * method: refused (a forged or cleared scope).
   */
  public void requestReportRefused() {
    requestReportsRefused.increment();
  }

  /**
   * A request's field (path, query, method, client, route) was cut to its cap, or had characters no
   * request line holds replaced.
   */
  public void requestFieldCapped() {
    requestFieldsCapped.increment();
  }

  /** A request's forwarded chain was longer than the hops (or characters) kept. */
  public void requestForwardedCapped() {
    requestForwardedCapped.increment();
  }

  /** A request's {@code traceparent} header was malformed: dropped. */
  public void requestTraceparentDropped() {
    requestTraceparentDropped.increment();
  }

  /** A canary arrived at the recorder ({@code ok}) or did not. */
  public void canary(boolean ok) {
    (ok ? canaryOk : canaryFailed).increment();
  }

  public long canaryFailedCount() {
    return canaryFailed.sum();
  }

  /** The tamper findings: counted, the latest kept for the heartbeat. */
  public Tamper tamper() {
    return tamper;
  }

  public void seen() {
    seen.increment();
  }

  public void error() {
    errors.increment();
  }

  public void sent(long events) {
    sent.add(events);
    batchesSent.increment();
  }

  public void batchFailed() {
    batchesFailed.increment();
  }

  /** A new event found the hand-off queue full: it goes out with the next flush instead. */
  public void deferred() {
    deferred.increment();
  }

  public long deferredCount() {
    return deferred.sum();
  }

  public void dropped(String reason, long events) {
    dropped.computeIfAbsent(reason, r -> new LongAdder()).add(events);
  }

  /**
   * A string the application chose (path, host, argv…) was cut to the agent's cap before sending.
   */
  public void stringTruncated() {
    stringsTruncated.increment();
  }

  public long stringsTruncatedCount() {
    return stringsTruncated.sum();
  }

  public void queueDepth(LongSupplier depth) {
    this.queueDepth = depth;
  }

  public long requestReportsCount() {
    return requestReports.sum();
  }

  public long requestReportsRefusedCount() {
    return requestReportsRefused.sum();
  }

  public long seenCount() {
    return seen.sum();
  }

  public long sentCount() {
    return sent.sum();
  }

  public long errorCount() {
    return errors.sum() + bridgeErrors.getAsLong();
  }

  /** Errors the bootstrap bridge caught (it cannot see this class). */
  public void errorsFrom(LongSupplier bridge) {
    this.bridgeErrors = bridge;
  }

  public long batchesSentCount() {
    return batchesSent.sum();
  }

  public long batchesFailedCount() {
    return batchesFailed.sum();
  }

  public long queueDepthNow() {
    return queueDepth.getAsLong();
  }

  public long droppedCount() {
    long total = 0;
    for (LongAdder a : dropped.values()) total += a.sum();
    return total;
  }

  public long droppedCount(String reason) {
    LongAdder a = dropped.get(reason);
    return a == null ? 0 : a.sum();
  }

  /** A snapshot for the wire (heartbeats). */
  /** Protect mode's figures, once the agent's protection exists. */
  private volatile @Nullable ProtectionReport protection;

  public void protection(ProtectionReport report) {
    this.protection = report;
  }

  /** Protect mode's figures, or null before the agent's protection exists. */
  public @Nullable ProtectionReport protection() {
    return protection;
  }

  public AgentHealth snapshot() {
    AgentHealth.Builder b =
        AgentHealth.newBuilder()
            .setEventsSeen(seenCount())
            .setEventsSent(sentCount())
            .setEventsDropped(droppedCount())
            .setErrors(errorCount())
            .setQueueDepth(queueDepthNow())
            .setBatchesSent(batchesSentCount())
            .setBatchesFailed(batchesFailedCount())
            .setStringsTruncated(stringsTruncatedCount())
            .setUptimeMs((System.nanoTime() - startNanos) / 1_000_000)
            .setCanaryOk(canaryOk.sum())
            .setCanaryFailed(canaryFailed.sum())
            .setTamperCount(tamper.count())
            .addAllTamperFindings(tamper.latest())
            .setRequestFieldsCapped(requestFieldsCapped.sum())
            .setRequestForwardedCapped(requestForwardedCapped.sum())
            .setRequestTraceparentDropped(requestTraceparentDropped.sum())
            .setRequestReports(requestReports.sum())
            .setRequestReportsRefused(requestReportsRefused.sum());
    dropped.forEach((reason, count) -> b.putDroppedByReason(reason, count.sum()));
    ProtectionReport p = protection;
    if (p != null) {
      p.addTo(b);
    }
    return b.build();
  }

  /** Nothing counted yet. */
  private static final class Zero implements LongSupplier {
    static final Zero ZERO = new Zero();

    @Override
    public long getAsLong() {
      return 0;
    }
  }
}

package dev.tripline.agent.health;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The agent's health as Micrometer meters, read from {@link AgentStats} on demand: function
 * counters and gauges cost nothing on the application's threads. The same figures travel in every
 * heartbeat; these are for whoever scrapes the JVM (see {@link AgentMBean}).
 */
public final class AgentMeters {
  public static final String PREFIX = "tripline.agent.";

  private final MeterRegistry registry;

  public AgentMeters(AgentStats stats) {
    this(stats, new SimpleMeterRegistry());
  }

  public AgentMeters(AgentStats stats, MeterRegistry registry) {
    this.registry = registry;
    counter("events.seen", "I/O events the hooks reported", stats, AgentStats::seenCount);
    counter("events.sent", "events delivered to Kafka (or the sink)", stats, AgentStats::sentCount);
    counter(
        "events.deferred",
        "new events that found the hand-off queue full and went out with the next flush",
        stats,
        AgentStats::deferredCount);
    for (String reason :
        new String[] {
          AgentStats.QUEUE_FULL,
          AgentStats.CACHE_FULL,
          AgentStats.TRANSPORT,
          AgentStats.SINK_UNWRITABLE
        }) {
      FunctionCounter.builder(PREFIX + "events.dropped", stats, s -> s.droppedCount(reason))
          .description("events lost, by reason")
          .tag("reason", reason)
          .register(registry);
    }
    counter(
        "request.reports",
        "request scopes opened and closed (context, not events)",
        stats,
        AgentStats::requestReportsCount);
    counter(
        "request.reports_refused",
        "request scope reports refused (not made by the server's woven code)",
        stats,
        AgentStats::requestReportsRefusedCount);
    counter("errors", "failures caught inside the agent", stats, AgentStats::errorCount);
    counter("batches.sent", "batches delivered", stats, AgentStats::batchesSentCount);
    counter(
        "batches.failed",
        "batches that could not be delivered (their events are folded into the next flush)",
        stats,
        AgentStats::batchesFailedCount);
    Gauge.builder(PREFIX + "queue.depth", stats, AgentStats::queueDepthNow)
        .description("new events waiting for the pipeline thread")
        .register(registry);
    ProtectionReport p = stats.protection();
    if (p != null) {
      Gauge.builder(PREFIX + "protection.mode", p, ProtectionReport::modeNumber)
          .description("protect mode in force: 0 off, 1 dry-run, 2 block")
          .register(registry);
      Gauge.builder(PREFIX + "protection.failed_open", p, ProtectionReport::failedOpen)
          .description("1 when protection failed open (no policy, too old, unreadable)")
          .register(registry);
      FunctionCounter.builder(PREFIX + "protection.blocked", p, ProtectionReport::blocked)
          .description("calls refused by protect mode (block)")
          .register(registry);
      FunctionCounter.builder(PREFIX + "protection.would_block", p, ProtectionReport::wouldBlock)
          .description("calls block mode would have refused (dry-run)")
          .register(registry);
      FunctionCounter.builder(
              PREFIX + "protection.context_walks", p, ProtectionReport::contextWalks)
          .description("stack walks for the context frames of a guarded call")
          .register(registry);
      FunctionCounter.builder(
              PREFIX + "protection.policy_refused", p, ProtectionReport::policyRefused)
          .description("policy records refused (never applied)")
          .register(registry);
    }
  }

  private void counter(
      String name, String description, AgentStats stats, ToDoubleFunction<AgentStats> f) {
    FunctionCounter.builder(PREFIX + name, stats, f).description(description).register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** A meter's current value: a counter's count or a gauge's value; NaN for an unknown id. */
  static double value(Meter meter) {
    for (var m : meter.measure()) {
      return m.getValue();
    }
    return Double.NaN;
  }
}
